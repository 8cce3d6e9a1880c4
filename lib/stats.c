#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "stats.h"

void
stats_add(uint64_t *v, long long n)
{
	if (n <= 0)
		return;
	*v = *v > UINT64_MAX - (uint64_t)n ? UINT64_MAX : *v + n;
}

static uint64_t
done(const struct stats *st)
{
	return st->ok + st->failed;
}

static double
seconds(const struct stats *st, long long now)
{
	return (now - st->start_ms) / 1000.0;
}

void
stats_summary(const struct stats *st, long long now, char *buf, size_t len)
{
	double	 t = seconds(st, now);

	snprintf(buf, len, "%llu rows in %.1f s (%.1f/s): %llu ok, %llu "
	    "failed, %llu skipped; %llu retries, %llu 429s; tokens %llu in, "
	    "%llu out", (unsigned long long)done(st), t,
	    t > 0 ? done(st) / t : 0, (unsigned long long)st->ok,
	    (unsigned long long)st->failed, (unsigned long long)st->skipped,
	    (unsigned long long)st->retries, (unsigned long long)st->http429,
	    (unsigned long long)st->prompt_tokens,
	    (unsigned long long)st->completion_tokens);
	if (st->cached_tokens > 0 && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), " (%llu in "
		    "from the cache)", (unsigned long long)st->cached_tokens);
	if (st->outside > 0 && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "; %llu "
		    "outside the sample", (unsigned long long)st->outside);
	if (st->reasks > 0 && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "; %llu "
		    "re-asked", (unsigned long long)st->reasks);
	if (st->paced > 0 && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "; paced at "
		    "%.1f requests/s", st->paced);
	if (st->paced_tokens > 0 && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "; paced at "
		    "%.0f tokens/s", st->paced_tokens);
	if ((st->cache_hits > 0 || st->shared > 0) && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "; %llu rows "
		    "from --cache, %llu shared", (unsigned long long)st->cache_hits,
		    (unsigned long long)st->shared);
	if (st->models[1] != NULL && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "; %llu "
		    "escalated to %s", (unsigned long long)st->escalated,
		    st->models[1]);
	if (st->priced && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "; cost $%.4f",
		    st->cost_usd);
	else if (st->unpriced != NULL && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), "; cost "
		    "unknown: %s", st->unpriced);
	if (st->priced && st->models[1] != NULL && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), " (%s $%.4f, "
		    "%s $%.4f)", st->models[0], st->model_usd[0],
		    st->models[1], st->model_usd[1]);
	if (st->priced && st->cost_estimated_usd > 0 && strlen(buf) < len)
		snprintf(buf + strlen(buf), len - strlen(buf), " ($%.4f of it "
		    "estimated: answers without usage)",
		    st->cost_estimated_usd);
}

/* An answer's per-class lines are shown up to this many classes. */
#define EXPECT_LINES	20

/* A ratio to four decimals, or "-" without anything to divide by. */
static const char *
ratio(uint64_t a, uint64_t b, char *buf, size_t len)
{
	if (b == 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.4f", (double)a / b);
	return buf;
}

int
stats_expect_line(const struct stats *st, size_t k, char *buf, size_t len)
{
	const struct expect_figures	*f;
	const struct expect_class	*c;
	char				 p[16], r[16];

	if (st->expect == NULL)
		return -1;
	f = expect_figures(st->expect);
	if (k == 0) {
		snprintf(buf, len, "--expect: %llu of %llu rows agree, accuracy "
		    "%s (%llu failed; %llu rows without the field, not "
		    "counted)", (unsigned long long)f->agree,
		    (unsigned long long)f->rows, ratio(f->agree, f->rows, p,
		    sizeof(p)), (unsigned long long)f->failed,
		    (unsigned long long)f->unlabelled);
		return 0;
	}
	if (expect_class(st->expect, EXPECT_LINES) != NULL ||
	    (c = expect_class(st->expect, k - 1)) == NULL)
		return -1;
	snprintf(buf, len, "  %.*s: precision %s, recall %s (%llu expected, "
	    "%llu answered)", (int)c->namelen, c->name, ratio(c->agree,
	    c->answered, p, sizeof(p)), ratio(c->agree, c->expected, r,
	    sizeof(r)), (unsigned long long)c->expected,
	    (unsigned long long)c->answered);
	return 0;
}

/* A member whose value is a decimal printed with this format. */
static void
decimal(struct jsonw *w, const char *key, const char *fmt, double v)
{
	char	 num[64];

	snprintf(num, sizeof(num), fmt, v);
	jsonw_raw(w, key, num, strlen(num));
}

static double
mean_latency(const struct stats_endpoint *ep)
{
	return ep->rows > 0 ? (double)ep->latency_ms / ep->rows : 0;
}

void
stats_endpoint_line(const struct stats *st, size_t k, char *buf, size_t len)
{
	const struct stats_endpoint	*ep = &st->endpoints[k];

	snprintf(buf, len, "%s: %llu rows, %llu errors, latency %.0f ms, "
	    "set aside %llu time%s", ep->name, (unsigned long long)ep->rows,
	    (unsigned long long)ep->errors, mean_latency(ep),
	    (unsigned long long)ep->set_aside, ep->set_aside == 1 ? "" : "s");
}

/* [{"url":...,"rows":N,"errors":N,"latency_ms":L,"set_aside":N},...]:
 * an array, since one URL may be given twice (with two keys). */
static int
endpoints_array(const struct stats *st, struct buf *b)
{
	const struct stats_endpoint	*ep;
	struct jsonw			 w;
	size_t				 k;
	int				 rv = buf_addc(b, '[');

	for (k = 0; k < st->nendpoints && rv == 0; k++) {
		ep = &st->endpoints[k];
		if (k > 0 && buf_addc(b, ',') == -1)
			return -1;
		jsonw_begin(&w, b);
		jsonw_str(&w, "url", ep->name, strlen(ep->name));
		jsonw_uint(&w, "rows", ep->rows);
		jsonw_uint(&w, "errors", ep->errors);
		decimal(&w, "latency_ms", "%.1f", mean_latency(ep));
		jsonw_uint(&w, "set_aside", ep->set_aside);
		rv = jsonw_end(&w, 0);
	}
	return rv == 0 ? buf_addc(b, ']') : -1;
}

/* --escalate: [{"model":M,"cost_usd":D},...], null dollars unpriced. */
static int
models_array(const struct stats *st, struct buf *b)
{
	struct jsonw	 w;
	int		 k, rv = buf_addc(b, '[');

	for (k = 0; k < 2 && rv == 0; k++) {
		if (k > 0 && buf_addc(b, ',') == -1)
			return -1;
		jsonw_begin(&w, b);
		jsonw_str(&w, "model", st->models[k], strlen(st->models[k]));
		if (st->priced)
			decimal(&w, "cost_usd", "%.6f", st->model_usd[k]);
		else
			jsonw_null(&w, "cost_usd");
		rv = jsonw_end(&w, 0);
	}
	return rv == 0 ? buf_addc(b, ']') : -1;
}

int
stats_json(const struct stats *st, long long now, struct buf *b)
{
	struct jsonw	 w;
	struct buf	 eps = { 0 };
	double		 t = seconds(st, now);
	int		 rv;

	jsonw_begin(&w, b);
	jsonw_uint(&w, "rows_ok", st->ok);
	jsonw_uint(&w, "rows_failed", st->failed);
	jsonw_uint(&w, "rows_skipped", st->skipped);
	jsonw_uint(&w, "rows_outside_sample", st->outside);
	jsonw_uint(&w, "retries", st->retries);
	jsonw_uint(&w, "reasks", st->reasks);
	jsonw_uint(&w, "http_429", st->http429);
	jsonw_uint(&w, "prompt_tokens", st->prompt_tokens);
	jsonw_uint(&w, "completion_tokens", st->completion_tokens);
	jsonw_uint(&w, "cached_tokens", st->cached_tokens);
	jsonw_uint(&w, "connections", st->connections);
	if (st->paced > 0)
		decimal(&w, "paced_rps", "%.2f", st->paced);
	else
		jsonw_null(&w, "paced_rps");
	if (st->paced_tokens > 0)
		decimal(&w, "paced_tps", "%.1f", st->paced_tokens);
	else
		jsonw_null(&w, "paced_tps");
	decimal(&w, "wall_seconds", "%.3f", t);
	decimal(&w, "rows_per_second", "%.2f", t > 0 ? done(st) / t : 0);
	/* What the run paid, and what it did not have to. */
	jsonw_uint(&w, "cache_hits", st->cache_hits);
	jsonw_uint(&w, "shared", st->shared);
	if (st->priced) {
		decimal(&w, "cost_usd", "%.6f", st->cost_usd);
		decimal(&w, "cost_estimated_usd", "%.6f",
		    st->cost_estimated_usd);
	} else {
		jsonw_null(&w, "cost_usd");
		jsonw_null(&w, "cost_estimated_usd");
	}
	if (st->nendpoints > 0) {
		if (endpoints_array(st, &eps) == -1)
			w.err = -1;
		else
			jsonw_raw(&w, "endpoints", eps.data, eps.len);
	}
	buf_reset(&eps);
	if (st->models[1] != NULL) {
		jsonw_uint(&w, "escalated", st->escalated);
		if (models_array(st, &eps) == -1)
			w.err = -1;
		else
			jsonw_raw(&w, "models", eps.data, eps.len);
	}
	buf_reset(&eps);
	if (st->expect != NULL) {
		if (expect_json(st->expect, &eps) == -1)
			w.err = -1;
		else
			jsonw_raw(&w, "expect", eps.data, eps.len);
	}
	rv = jsonw_end(&w, 1);
	buf_free(&eps);
	return rv;
}

int
stats_estimate(const struct stats *st, const struct stats_prices *p,
    struct buf *b)
{
	char	 line[256];
	double	 out = (double)p->budget * st->est_rows, t = 0;
	/* Cached reads cost a tenth of the input price (Anthropic's). */
	double	 in = st->est_tokens - 0.9 * st->est_cached;
	int	 rv = 0;

#define LINE(...) do {							\
	snprintf(line, sizeof(line), __VA_ARGS__);			\
	rv |= buf_adds(b, line);					\
} while (0)
	LINE("rows               %llu", (unsigned long long)st->est_rows);
	if (st->failed > 0)
		LINE(" (and %llu that would fail: see above)",
		    (unsigned long long)st->failed);
	/* Requests, not rows: duplicates share one, the cache answers. */
	if (st->est_shared > 0 || st->est_cache_hits > 0)
		LINE("\nsaved              %llu duplicate%s sent once, %llu "
		    "from the cache", (unsigned long long)st->est_shared,
		    st->est_shared == 1 ? "" : "s",
		    (unsigned long long)st->est_cache_hits);
	LINE("\nprompt tokens      %llu (estimated, 4 bytes a token)\n",
	    (unsigned long long)st->est_tokens);
	if (st->est_cached > 0)
		LINE("cached prompt      %llu of them, read from the cache at "
		    "a tenth of the price (the long system prompt, after the "
		    "first row)\n", (unsigned long long)st->est_cached);
	if (p->budget > 0)
		LINE("completion budget  %lld a row, %.0f in all\n", p->budget,
		    out);
	else
		LINE("completion budget  unknown: no -P max_tokens or "
		    "max_completion_tokens\n");
	if (p->price_in > 0 || p->price_out > 0) {
		LINE("cost               $%.4f in", in * p->price_in / 1e6);
		if (p->budget > 0)
			LINE(" + at most $%.4f out = $%.4f\n", out *
			    p->price_out / 1e6, (in * p->price_in +
			    out * p->price_out) / 1e6);
		else
			LINE(", out unknown\n");
	}
	/* Its worst case: every row asked again, the same prompt and
	 * budget at the other model's prices. */
	if (p->escalate != NULL && (p->escalate_in > 0 ||
	    p->escalate_out > 0) && p->budget > 0)
		LINE("escalation         to %s: at most $%.4f more, were "
		    "every row asked again\n", p->escalate,
		    (st->est_tokens * p->escalate_in + out * p->escalate_out) /
		    1e6);
	else if (p->escalate != NULL)
		LINE("escalation         to %s: %s\n", p->escalate,
		    p->budget > 0 ? "its prices unknown" :
		    "its cost unknown without a completion budget");
	if (p->rpm > 0)
		t = st->est_rows * 60.0 / p->rpm;
	if (p->tpm > 0 && (st->est_tokens + out) * 60.0 / p->tpm > t)
		t = (st->est_tokens + out) * 60.0 / p->tpm;
	if (t > 0)
		LINE("time               at least %.0f s (%.1f min) at the "
		    "limits given\n", t, t / 60);
	else
		LINE("time               give --rpm or --tpm to estimate it\n");
#undef LINE
	return rv == 0 ? 0 : -1;
}
