#include "budget.h"

double
budget_worst(const struct budget *b, long long prompt, long long completion)
{
	return price_cost(&b->rates, prompt, 0, completion);
}

int
budget_reserve(struct budget *b, double worst)
{
	/* A picodollar of slack: sums of decimals are not exact. */
	if (b->spent + b->reserved + worst > b->limit + 1e-12)
		return -1;
	b->reserved += worst;
	return 0;
}

void
budget_settle(struct budget *b, double reserved, double cost)
{
	b->reserved -= reserved;
	/* Rounding must not leave a phantom reservation, or a negative. */
	if (b->reserved < 1e-12)
		b->reserved = 0;
	b->spent += cost;
}
