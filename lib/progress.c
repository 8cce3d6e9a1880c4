#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

/* The rate is taken over the last few seconds of samples, one a redraw. */
#define SAMPLES	64
#define WINDOW	5000	/* ms */

struct sample {
	long long	 when;
	uint64_t	 done;
};

struct progress {
	struct sample	 s[SAMPLES];
	size_t		 n;		/* samples taken, all time */
};

struct progress *
progress_new(void)
{
	return calloc(1, sizeof(struct progress));
}

void
progress_free(struct progress *p)
{
	free(p);
}

static uint64_t
done(const struct stats *st)
{
	return st->ok + st->failed;
}

/* Rows a second over the window, or over the whole run until it fills. */
static double
rate(struct progress *p, const struct stats *st, long long now)
{
	const struct sample	*old;
	size_t			 k, first;

	p->s[p->n % SAMPLES] = (struct sample){ now, done(st) };
	p->n++;
	first = p->n > SAMPLES ? p->n - SAMPLES : 0;
	for (k = first; k + 1 < p->n; k++)
		if (now - p->s[k % SAMPLES].when <= WINDOW)
			break;
	old = &p->s[k % SAMPLES];
	if (k + 1 >= p->n || now - old->when < 200) {
		/* Too little history: the average since the start. */
		if (now - st->start_ms < 200)
			return 0;
		return done(st) * 1000.0 / (now - st->start_ms);
	}
	return (done(st) - old->done) * 1000.0 / (now - old->when);
}

/* 999, 12.3k, 4.56M: numbers that keep the line short. */
static const char *
human(uint64_t v, char *buf, size_t len)
{
	if (v < 10000)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else if (v < 1000000)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else if (v < 1000000000)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else
		snprintf(buf, len, "%.2fG", v / 1e9);
	return buf;
}

void
progress_line(struct progress *p, const struct stats *st, long long now,
    char *buf, size_t len, int width)
{
	char		 a[16], b[16], eta[32] = "";
	double		 r = rate(p, st, now), total;
	uint64_t	 d = done(st);
	size_t		 n;
	long long	 left;

	if (st->bytes_total > 0 && st->bytes_read > 0 && st->rows_read > 0) {
		/* Rows still to come, estimated from the bytes they take;
		 * those outside --sample are spread through the input. */
		total = (double)(st->rows_read - st->outside) *
		    st->bytes_total / st->bytes_read - st->skipped;
		if (total < d)
			total = d;
		n = snprintf(buf, len, "%llu/%.0f %3.0f%%",
		    (unsigned long long)d, total, total > 0 ? 100 * d / total :
		    100);
		if (r > 0) {
			left = (long long)((total - d) / r);
			snprintf(eta, sizeof(eta), "  ETA %lld:%02lld",
			    left / 60, left % 60);
		}
	} else
		n = snprintf(buf, len, "%llu rows", (unsigned long long)d);
	if (n < len)
		n += snprintf(buf + n, len - n, "  %.1f/s%s  in flight %llu  "
		    "retries %llu  429s %llu  failed %llu  tokens %s in %s out",
		    r, eta, (unsigned long long)st->inflight,
		    (unsigned long long)st->retries,
		    (unsigned long long)st->http429,
		    (unsigned long long)st->failed,
		    human(st->prompt_tokens, a, sizeof(a)),
		    human(st->completion_tokens, b, sizeof(b)));
	if (st->priced && n < len)
		snprintf(buf + n, len - n, "  $%.4f", st->cost_usd);
	if (width > 0 && (size_t)width < len)
		buf[width] = '\0';
}
