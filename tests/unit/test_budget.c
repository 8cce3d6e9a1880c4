#include <math.h>

#include "budget.h"
#include "check.h"

#define NEAR(a, b)	(fabs((a) - (b)) < 1e-12)

int
main(void)
{
	struct budget	 b = { 0 };

	/* The budget: worst cases reserved, the rest given back. */
	b.limit = 0.01;
	b.rates = (struct price_rates){ 1, 1, 4 };
	CHECK(NEAR(budget_worst(&b, 100, 250), (100 + 1000) / 1e6));
	CHECK(budget_reserve(&b, 0.004) == 0);
	CHECK(budget_reserve(&b, 0.004) == 0);
	CHECK(budget_reserve(&b, 0.004) == -1);
	budget_settle(&b, 0.004, 0.001);
	CHECK(NEAR(b.spent, 0.001) && NEAR(b.reserved, 0.004));
	CHECK(budget_reserve(&b, 0.004) == 0);
	CHECK(budget_reserve(&b, 0.0011) == -1);
	budget_settle(&b, 0.004, 0.004);
	budget_settle(&b, 0.004, 0.004);
	CHECK(NEAR(b.spent, 0.009) && b.reserved == 0);
	CHECK(budget_reserve(&b, 0.001) == 0);
	CHECK(budget_reserve(&b, 1e-9) == -1);

	return check_done("test_budget");
}
