#include <stdio.h>
#include <string.h>

#include "check.h"
#include "sample.h"

static long
parse(const char *s)
{
	char	 err[128];
	long	 ppm = -1;

	return sample_parse(s, &ppm, err, sizeof(err)) == 0 ? ppm : -1;
}

static void
test_parse(void)
{
	char	 err[128];
	long	 ppm;

	CHECK(parse("10%") == 100000);
	CHECK(parse("0.5%") == 5000);
	CHECK(parse("100%") == SAMPLE_ALL);
	CHECK(parse("100.0000%") == SAMPLE_ALL);
	CHECK(parse("0.0001%") == 1);
	CHECK(parse("12.3456%") == 123456);
	CHECK(parse("007%") == 70000);
	/* Not a share of a sample. */
	CHECK(parse("10") == -1);
	CHECK(parse("%") == -1);
	CHECK(parse(".5%") == -1);
	CHECK(parse("5.%") == -1);
	CHECK(parse("0.00001%") == -1);
	CHECK(parse("1e1%") == -1);
	CHECK(parse("-5%") == -1);
	CHECK(parse("5%%") == -1);
	CHECK(parse("5 %") == -1);
	CHECK(parse("99999999999999999999%") == -1);
	CHECK(sample_parse("100.0001%", &ppm, err, sizeof(err)) == -1);
	CHECK(strcmp(err, "a sample from 0.0001% to 100%") == 0);
	CHECK(sample_parse("0%", &ppm, err, sizeof(err)) == -1);
	CHECK(sample_parse("ten%", &ppm, err, sizeof(err)) == -1);
	CHECK(strncmp(err, "a percentage such as 10%", 24) == 0);
}

static void
test_keep(void)
{
	char	 id[32];
	int	 k, n10 = 0, n20 = 0, nested = 1;

	/*
	 * The documented rule, as Python computes it:
	 * int.from_bytes(sha256(b"1").digest()[:8], "big") % 10**6 is
	 * 162913, and 962250 for "a".
	 */
	CHECK(sample_keep(162914, "1", 1) == 1);
	CHECK(sample_keep(162913, "1", 1) == 0);
	CHECK(sample_keep(962251, "a", 1) == 1);
	CHECK(sample_keep(962250, "a", 1) == 0);
	CHECK(sample_keep(SAMPLE_ALL, "a", 1) == 1);
	/* About the share asked for, and 10% inside 20%. */
	for (k = 0; k < 100000; k++) {
		snprintf(id, sizeof(id), "row-%d", k);
		if (sample_keep(100000, id, strlen(id))) {
			n10++;
			if (!sample_keep(200000, id, strlen(id)))
				nested = 0;
		}
		n20 += sample_keep(200000, id, strlen(id));
	}
	CHECK(nested);
	CHECK(n10 > 9500 && n10 < 10500);
	CHECK(n20 > 19300 && n20 < 20700);
}

int
main(void)
{
	test_parse();
	test_keep();
	return check_done("test_sample");
}
