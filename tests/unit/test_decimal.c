#include <stdint.h>
#include <string.h>

#include "check.h"
#include "decimal.h"

/* The sign of a - b, numbers as written. */
static int
cmp(const char *a, const char *b)
{
	struct decimal	 da, db;

	decimal_parse(&da, a, strlen(a));
	decimal_parse(&db, b, strlen(b));
	return decimal_cmp(&da, &db);
}

static int
is_int(const char *s)
{
	struct decimal	 d;

	decimal_parse(&d, s, strlen(s));
	return decimal_is_integer(&d);
}

/* The size_t, or (size_t)-2 when refused. */
static size_t
size(const char *s)
{
	struct decimal	 d;
	size_t		 v;

	decimal_parse(&d, s, strlen(s));
	if (decimal_to_size(&d, &v) == -1)
		return (size_t)-2;
	return v;
}

static void
test_parse(void)
{
	struct decimal	 d;

	decimal_parse(&d, "-0012.3400e+2", 13);
	CHECK(d.neg == 1 && d.ndig == 4 && d.e == 4);
	CHECK(d.m[d.first] == '1');
	CHECK(d.s[0] == '-' && d.slen == 13);
	decimal_parse(&d, "0.000", 5);
	CHECK(d.ndig == 0);
	decimal_parse(&d, "0.05", 4);
	CHECK(d.ndig == 1 && d.e == -1 && d.m[d.first] == '5');
	/* An absurd exponent saturates, never wraps. */
	decimal_parse(&d, "1e99999999999999999999999", 25);
	CHECK(d.e > 1000000000000000LL && d.e < 10000000000000000LL + 2);
	decimal_parse(&d, "1e-99999999999999999999999", 26);
	CHECK(d.e < -1000000000000000LL);
}

static void
test_cmp(void)
{
	/* The same value written many ways. */
	CHECK(cmp("1", "1.0") == 0);
	CHECK(cmp("1", "10e-1") == 0);
	CHECK(cmp("12300", "1.23e4") == 0);
	CHECK(cmp("12300", "123E+2") == 0);
	CHECK(cmp("0", "-0.0e7") == 0);
	CHECK(cmp("-0", "0") == 0);
	CHECK(cmp("0.5", "5e-1") == 0);
	/* Order by sign, then magnitude, then digits. */
	CHECK(cmp("-1", "0") < 0);
	CHECK(cmp("0", "-1") > 0);
	CHECK(cmp("-2.51", "-2.5") < 0);
	CHECK(cmp("-2.5", "-2.51") > 0);
	CHECK(cmp("150.5", "150") > 0);
	CHECK(cmp("1.4999", "1.5") < 0);
	CHECK(cmp("1e-30", "0") > 0);
	CHECK(cmp("1e399", "1e400") < 0);
	CHECK(cmp("1e-399", "1e-400") > 0);
	CHECK(cmp("1.23e3", "12300") < 0);
	/* Exact beyond a double's 53 bits. */
	CHECK(cmp("9007199254740993", "9007199254740992") > 0);
	CHECK(cmp("1.0000000000000000000001", "1") > 0);
	CHECK(cmp("99999999999999999999", "100000000000000000000") < 0);
}

static void
test_integer(void)
{
	CHECK(is_int("2"));
	CHECK(is_int("2.0"));
	CHECK(is_int("2.50e1"));
	CHECK(is_int("1e400"));
	CHECK(is_int("-0.0"));
	CHECK(is_int("0"));
	CHECK(!is_int("2.5"));
	CHECK(!is_int("25e-1"));
	CHECK(!is_int("1e-400"));
	CHECK(!is_int("-0.001"));

	CHECK(size("0") == 0);
	CHECK(size("-0") == 0);
	CHECK(size("3") == 3);
	CHECK(size("1.0") == 1);
	CHECK(size("1.5e1") == 15);
	CHECK(size("120") == 120);
	CHECK(size("1e3") == 1000);
	CHECK(size("18446744073709551615") == SIZE_MAX);
	CHECK(size("99999999999999999999") == SIZE_MAX);
	CHECK(size("1e400") == SIZE_MAX);
	CHECK(size("-1") == (size_t)-2);
	CHECK(size("1.5") == (size_t)-2);
	CHECK(size("-1e400") == (size_t)-2);
}

int
main(void)
{
	test_parse();
	test_cmp();
	test_integer();
	return check_done("test_decimal");
}
