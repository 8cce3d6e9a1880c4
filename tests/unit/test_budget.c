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

	/* The prompt's estimate: bytes / 4 rounded up, and the framing;
	 * doubled until an answer says; then scaled by the most any
	 * prompt came to, never below itself. */
	CHECK(budget_estimate(0) == BUDGET_FRAME);
	CHECK(budget_estimate(5) == 2 + BUDGET_FRAME);
	CHECK(budget_estimate(8) == 2 + BUDGET_FRAME);
	CHECK(b.ratio == 0 && budget_prompt(&b, 18) == 36);
	budget_learn(&b, 18, 8);
	CHECK(b.ratio == 1 && budget_prompt(&b, 18) == 18);
	budget_learn(&b, 18, 27);
	CHECK(b.ratio == 1.5 && budget_prompt(&b, 18) == 27);
	budget_learn(&b, 100, 120);
	CHECK(b.ratio == 1.5 && budget_prompt(&b, 19) == 29);
	budget_learn(&b, 0, 5);
	budget_learn(&b, 10, -1);
	CHECK(b.ratio == 1.5);
	/* Absurd usage cannot overflow a reservation. */
	budget_learn(&b, 1, 1LL << 62);
	CHECK(budget_prompt(&b, 1LL << 62) > 0);

	return check_done("test_budget");
}
