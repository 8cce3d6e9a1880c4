#include <math.h>
#include <string.h>

#include "check.h"
#include "price.h"

#define NEAR(a, b)	(fabs((a) - (b)) < 1e-12)

static int
load(struct price_table *t, const char *text, char *err, size_t len)
{
	return price_table_load(t, text, strlen(text), err, len);
}

int
main(void)
{
	struct price_table	*t = price_table_new();
	struct price_rates	 r;
	const char		*when;
	char			 err[256];

	CHECK(t != NULL);
	CHECK(load(t, "# a comment\n\n"
	    "gpt-4o\t2.50\t1.25\t10.00\t2025-08-07\n"
	    "gpt-4o-mini  0.15  0.075  0.60  2025-08-07\r\n"
	    "old 1 - 2 2024-01-01\n"
	    "   \t\n"
	    "last 3 0.3 15 2025-01-02", err, sizeof(err)) == 0);
	CHECK(price_table_size(t) == 4);
	/* By name, by the longest name a dated snapshot starts with. */
	CHECK(price_table_find(t, "gpt-4o", &r, &when) == 0 &&
	    NEAR(r.in, 2.5) && NEAR(r.cached_in, 1.25) && NEAR(r.out, 10) &&
	    strcmp(when, "2025-08-07") == 0);
	CHECK(price_table_find(t, "gpt-4o-mini-2024-07-18", &r, NULL) == 0 &&
	    NEAR(r.in, 0.15) && NEAR(r.out, 0.6));
	CHECK(price_table_find(t, "gpt-4o-2024-08-06", &r, NULL) == 0 &&
	    NEAR(r.in, 2.5));
	/* "-": no cached price, the input price. */
	CHECK(price_table_find(t, "old", &r, NULL) == 0 &&
	    NEAR(r.cached_in, 1));
	CHECK(price_table_find(t, "last", &r, NULL) == 0 && NEAR(r.out, 15));
	/* Not a prefix without its '-', not a longer name. */
	CHECK(price_table_find(t, "gpt-4", &r, NULL) == -1);
	CHECK(price_table_find(t, "gpt-4ox", &r, NULL) == -1);
	CHECK(price_table_find(t, "", &r, NULL) == -1);
	/* Named again: the later line wins. */
	CHECK(load(t, "old 5 - 6 2025-01-01\n", err, sizeof(err)) == 0);
	CHECK(price_table_find(t, "old", &r, NULL) == 0 && NEAR(r.in, 5) &&
	    price_table_size(t) == 4);

	/* Bad lines say which and why. */
	CHECK(load(t, "a 1 1 1\n", err, sizeof(err)) == -1 &&
	    strcmp(err, "line 1: want: model, input, cached input, output, "
	    "date") == 0);
	CHECK(load(t, "\na 1 1 1 2025-01-01 x\n", err, sizeof(err)) == -1 &&
	    strncmp(err, "line 2: want", 12) == 0);
	CHECK(load(t, "a -1 1 1 2025-01-01\n", err, sizeof(err)) == -1 &&
	    strstr(err, "a price") != NULL);
	CHECK(load(t, "a 1e3 1 1 2025-01-01\n", err, sizeof(err)) == -1);
	CHECK(load(t, "a nan 1 1 2025-01-01\n", err, sizeof(err)) == -1);
	CHECK(load(t, "a 1 1 - 2025-01-01\n", err, sizeof(err)) == -1);
	CHECK(load(t, "a 1 1 2000000 2025-01-01\n", err, sizeof(err)) == -1);
	CHECK(load(t, "a 1 1 1 2025-1-01\n", err, sizeof(err)) == -1 &&
	    strstr(err, "date") != NULL);
	CHECK(load(t, "a 1 1 1 yesterday\n", err, sizeof(err)) == -1);
	/* No bytes past the end are read: a price at the very end. */
	CHECK(price_table_load(t, "b 1 1 1 2025-01-01", 17, err,
	    sizeof(err)) == -1);

	/* Dollars: cached tokens at the cached price, out at out's. */
	r = (struct price_rates){ 1, 0.1, 4 };
	CHECK(NEAR(price_cost(&r, 1000000, 0, 0), 1));
	CHECK(NEAR(price_cost(&r, 1000, 400, 100), (600 * 1 + 400 * 0.1 +
	    100 * 4) / 1e6));
	CHECK(NEAR(price_cost(&r, -1, -1, -1), 0));
	CHECK(NEAR(price_cost(&r, 10, -1, 5), (10 + 20) / 1e6));
	/* More cached than prompt tokens: all of them cached, no less. */
	CHECK(NEAR(price_cost(&r, 10, 50, 0), 10 * 0.1 / 1e6));

	price_table_free(t);
	price_table_free(NULL);
	return check_done("test_price");
}
