/*
 * The unit tests' whole framework: CHECK counts, says what failed and where,
 * and check_done prints one summary line that tests/run.sh adds up.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) do {						\
	if (cond)							\
		check_passed++;						\
	else {								\
		check_failed++;						\
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__,	\
		    __LINE__, #cond);					\
	}								\
} while (0)

/* A buffer or pointer+length against a C string, shown when different. */
#define CHECK_MEM(p, n, want) do {					\
	const char *w_ = (want);					\
	size_t n_ = (n);						\
	if (n_ == strlen(w_) && memcmp((p), w_, n_) == 0)		\
		check_passed++;						\
	else {								\
		check_failed++;						\
		fprintf(stderr, "%s:%d: got '%.*s', want '%s'\n",	\
		    __FILE__, __LINE__, (int)n_, (const char *)(p), w_);\
	}								\
} while (0)

#define CHECK_BUF(b, want)	CHECK_MEM((b).data, (b).len, want)

static inline int
check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, check_passed,
	    check_failed);
	return check_failed != 0;
}

#endif
