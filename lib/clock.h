/*
 * Monotonic time in milliseconds, for every deadline in the program: wall
 * clock steps (NTP, a laptop waking up) must not fire or stall timers.
 */
#ifndef ENRICH_CLOCK_H
#define ENRICH_CLOCK_H

#include <time.h>

static inline long long
clock_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
