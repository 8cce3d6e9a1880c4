#include <string.h>

#include "check.h"
#include "text.h"

/* The duration at the start of s, and how much of s it took. */
static long long
dur(const char *s, size_t *used)
{
	return text_duration(s, strlen(s), used);
}

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
	return check_done("test_text");
}
