#include <string.h>

#include "check.h"
#include "text.h"

/* The duration at the start of s, and how much of s it took. */
static long long
dur(const char *s, size_t *used)
{
	return text_duration(s, strlen(s), used);
}

#define T0	1767225600000LL	/* 2026-01-01T00:00:00Z, in ms */

int
main(void)
{
	const char	*p;
	size_t		 n, used;

	/* As x-ratelimit-reset-* headers write them. */
	CHECK(dur("1s", &used) == 1000 && used == 2);
	CHECK(dur("6m0s", &used) == 360000 && used == 4);
	CHECK(dur("12ms", &used) == 12 && used == 4);
	CHECK(dur("1.5s", NULL) == 1500);
	CHECK(dur("1h2m3s", &used) == 3723000 && used == 6);
	CHECK(dur("2", &used) == 2000 && used == 1);	/* Azure's seconds */
	CHECK(dur(".5s", NULL) == 500);
	/* As error messages write them, with words after. */
	CHECK(dur("644ms. Visit", NULL) == 644);
	CHECK(dur("26.604s.", NULL) == 26604);
	CHECK(dur("1m30s", NULL) == 90000);
	CHECK(dur("1m 30s", NULL) == 90000);
	CHECK(dur("6 seconds.", &used) == 6000 && used == 9);
	CHECK(dur("2 min", NULL) == 120000);
	CHECK(dur("3 minutes", NULL) == 180000);
	CHECK(dur("1 hour", NULL) == 3600000);
	/* Where a duration stops: a header must be one whole. */
	CHECK(dur("5x", &used) == 5000 && used == 1);
	CHECK(dur("1e3s", &used) == 1000 && used == 1);
	CHECK(dur("", NULL) == -1);
	CHECK(dur("soon", NULL) == -1);
	CHECK(dur("-1s", NULL) == -1);
	CHECK(dur(".", NULL) == -1);
	/* Absurd, but within range. */
	CHECK(dur("99999999999999h", NULL) == 1000000000000LL);
	/* Not past the length given. */
	CHECK(text_duration("12ms", 2, &used) == 12000 && used == 2);

	p = " \t{\"a\":1}\r\n";
	n = strlen(p);
	text_trim(&p, &n);
	CHECK_MEM(p, n, "{\"a\":1}");
	p = "  ";
	n = 2;
	text_trim(&p, &n);
	CHECK(n == 0);
	CHECK(text_is_blank(' ') && text_is_blank('\n') && !text_is_blank('x'));
	CHECK(text_tokens(0) == 0 && text_tokens(7) == 1 && text_tokens(8) == 2);

	/* RFC 3339 times, as Anthropic's resets: from 2026-01-01T00:00:00Z. */
	CHECK(text_time_ms("2026-01-01T00:00:30Z", T0) == 30000);
	CHECK(text_time_ms("2026-01-01T00:00:30.25Z", T0) == 30250);
	CHECK(text_time_ms("2026-01-01t00:00:01.5z", T0) == 1500);
	CHECK(text_time_ms("2026-01-01T01:00:05+01:00", T0) == 5000);
	CHECK(text_time_ms("2025-12-31T23:59:05-00:01", T0) == 5000);
	CHECK(text_time_ms("2025-12-31T23:00:00Z", T0) == 0);
	CHECK(text_time_ms("2026-01-01T00:00:30", T0) == -1);
	CHECK(text_time_ms("2026-01-01T00:00:30Zx", T0) == -1);
	CHECK(text_time_ms("2026-13-01T00:00:30Z", T0) == -1);
	CHECK(text_time_ms("2026-01-01T24:00:30Z", T0) == -1);
	CHECK(text_time_ms("2026-01-01T00:00:30.Z", T0) == -1);
	CHECK(text_time_ms("30s", T0) == -1);
	CHECK(text_time_ms("", T0) == -1);
	return check_done("test_text");
}
