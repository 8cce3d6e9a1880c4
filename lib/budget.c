#include <math.h>

#include "budget.h"
#include "text.h"

long long
budget_estimate(size_t bytes)
{
	return (long long)((bytes + TEXT_BYTES_PER_TOKEN - 1) /
	    TEXT_BYTES_PER_TOKEN) + BUDGET_FRAME;
}

long long
budget_prompt(const struct budget *b, long long est)
{
	double	 t = est * (b->ratio > 0 ? b->ratio : BUDGET_UNKNOWN);

	return t < 9e18 ? (long long)ceil(t) : (long long)9e18;
}

void
budget_learn(struct budget *b, long long est, long long real)
{
	double	 r;

	if (est <= 0 || real < 0)
		return;
	r = (double)real / est;
	if (r < 1)
		r = 1;
	if (r > b->ratio)
		b->ratio = r;
}

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
