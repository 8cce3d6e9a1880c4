/*
 * Verdict: what a finished attempt means for its row and for the run.
 *
 * Done; retry after a wait (charged to -r, or a rate limit's backoff, or
 * a wait the server named that every request must honour); fail the row
 * with its error type; or stop the run, because every other row would
 * meet the same answer (401, 404, no quota).  The waits follow the
 * servers' own words first (retry-after-ms, then Retry-After as seconds
 * or an HTTP date, then "try again in 644ms" in an OpenAI or Azure error
 * message), and otherwise exponential backoff with full jitter: a uniform
 * wait up to 0.5 s doubling per attempt, capped at 30 s (2 s for a 429,
 * whose rate the pace slows), so that many rows failing together do not
 * come back together.
 *
 * This is the one place that decides about a 429; what it does to the
 * rate of new requests is pace.h's.  A rate-limit 429 is not charged to
 * -r: it is backpressure.  Once another row has succeeded since a row's
 * first 429, its 429s count against a limit of their own (--max-429), so
 * one row that a server always refuses fails in seconds rather than
 * holding the run; while nothing succeeds (a wall that refuses every
 * row), only --stall-timeout fails rows.  The verdict sets the row's error
 * (kind, status, message) and its retry counts; it writes nothing.
 *
 * Not here: the line written (record.h), the waiting (rows.h, sched.h).
 */
#ifndef ENRICH_VERDICT_H
#define ENRICH_VERDICT_H

#include <stddef.h>
#include <time.h>

#include "rows.h"

#define VERDICT_BASE_MS	500
#define VERDICT_CAP_MS	30000
/* A 429 that names no wait: the pace slows new requests, so the row's
 * own backoff need not grow past this, and --max-429 refusals end a row
 * refused forever in well under a minute. */
#define VERDICT_429_CAP_MS	2000

struct verdict_config {
	int		 retries;	/* -r: per row */
	long long	 max_wait_ms;	/* --max-wait */
	long long	 stall_ms;	/* --stall-timeout */
	int		 per_row_target;	/* the URL or model comes from the
					 * row (--batch-input, --body with
					 * fields): a 404 is the row's */
	int		 first_window;	/* this many attempts failing alike
					 * before any success stop the run */
	const char	*key_name;	/* where the key comes from, for a
					 * 401; NULL: OPENAI_API_KEY */
	int		 reask;		/* --reask: invalid answers asked
					 * again; 0 where a body cannot be */
	int		 max_429;	/* --max-429: a row fails at this many
					 * rate-limit 429s counted once other
					 * rows succeed; 0: no limit */
	/* The provider's "overloaded, try later" beyond the statuses
	 * always retried (provider.h), or NULL. */
	int		(*overloaded)(long, const char *, size_t);
};

enum verdict_kind {
	VERDICT_DONE,
	VERDICT_RETRY,		/* after delay ms */
	VERDICT_FAIL,		/* the row fails with its error */
	VERDICT_STOP		/* no row can succeed: see the row's error */
};

enum verdict_wait {
	VERDICT_CHARGED,	/* a retry charged to -r */
	VERDICT_RATE,		/* a rate limit, backing off */
	VERDICT_HOLD,		/* a rate limit with a wait the server named:
				 * no request starts before it is over */
	VERDICT_REASK		/* an invalid answer: ask again now, telling
				 * the model what was wrong */
};

struct verdict {
	enum verdict_kind	 kind;
	enum verdict_wait	 wait;
	long long		 delay;
	/* A rate limit's retry: is it about tokens, not requests, and the
	 * limit a minute the server named (OpenAI's "Limit 60000"), or 0. */
	int			 tokens;
	long long		 told;
};

struct verdicts;

struct verdicts	*verdict_new(const struct verdict_config *, long long);
void		 verdict_free(struct verdicts *);
/* After this time no retry is scheduled: the row fails instead. */
void		 verdict_deadline(struct verdicts *, long long);
/*
 * An attempt that brought no success: no response, one too large, or a
 * status other than 2xx.  0, or -1 if out of memory.
 */
int		 verdict_transfer(struct verdicts *, struct row *, long long,
		    struct verdict *);
/* A 2xx whose answer could not be read (why): a proxy may have cut it
 * short, so it is retried once. */
int		 verdict_unreadable(struct verdicts *, struct row *, long long,
		    const char *, struct verdict *);
/* A 2xx whose answer is not what was asked for (why): asked again up to
 * --reask times, then the row fails as invalid_answer; at once when it
 * was --escalate's model's. */
int		 verdict_invalid(struct verdicts *, struct row *, long long,
		    const char *, struct verdict *);
/* A 2xx whose answer is final and wrong: cut at the token limit, or
 * refused.  The same request gives the same: the row fails, typed. */
int		 verdict_final(struct verdicts *, struct row *, enum row_error,
		    const char *, struct verdict *);
/* A success, for --stall-timeout and --max-429. */
void		 verdict_success(struct verdicts *, long long);
/* When rows refused with 429 fail if no row succeeds before
 * (--stall-timeout). */
long long	 verdict_stall_end(const struct verdicts *);
/* The configuration it was made with: the limits a message may name. */
const struct verdict_config *verdict_limits(const struct verdicts *);
/* A row that will not be tried again, interrupted. */
int		 verdict_give_up(struct row *);

/* The policy's parts, for tests. */
/* Is an HTTP status worth retrying (408, 409, 429, 5xx of a gateway,
 * Anthropic's 529 overloaded)? */
int		 verdict_retryable(long);
/* The wait a response asks for, in ms, from its headers (NULL if absent)
 * or its error message; -1 if it asks for none. */
long long	 verdict_retry_after(const char *, const char *, time_t);
long long	 verdict_message_wait(const char *, size_t);
/* The wait before retry number n (1 for the first retry), in ms; and
 * before a 429's, which names no wait. */
long long	 verdict_backoff(int);
long long	 verdict_backoff_429(int);

/* What a 429 means. */
enum verdict_429 {
	VERDICT_429_RATE,	/* slow down: backpressure, try again */
	VERDICT_429_QUOTA,	/* no credit left: nothing can succeed */
	VERDICT_429_TOO_LARGE	/* this request can never fit: fail it */
};
enum verdict_429 verdict_classify_429(const char *, size_t, const char *,
		    size_t);
/* Is a rate-limit 429 about tokens: its message ("tokens per min
 * (TPM)", "on tokens"), or the provider's token remainder header (NULL
 * if none) at 0?  The limit a minute it names in *told, or 0. */
int		 verdict_429_tokens(const char *, size_t, const char *,
		    long long *);

#endif
