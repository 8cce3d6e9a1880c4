/*
 * Text: the small readings of text that several modules share, so that
 * each is written once: blanks, durations and times as servers write
 * them, and the token estimate made before a response says the real count.
 *
 * Not here: JSON (json.h) or anything that allocates.
 */
#ifndef ENRICH_TEXT_H
#define ENRICH_TEXT_H

#include <stddef.h>

/* Bytes a token, by the providers' own rule of thumb for English. */
#define TEXT_BYTES_PER_TOKEN	4

/* JSON's whitespace: space, tab, CR, LF. */
int		 text_is_blank(char);
/* Narrow [*p, *p + *n) to leave out blanks at both ends. */
void		 text_trim(const char **, size_t *);
/*
 * A duration as servers write them: "6m0s", "1.5s", "12ms", "1h2m3s",
 * "1m 30s", "2 min", "6 seconds", or bare seconds ("20", as Azure sends).
 * Reads from the start of s, at most len bytes, up to the first byte that
 * is not part of it; *used, if not NULL, says how many bytes that was
 * (0 when there is none).
 * Returns ms (at most 10^12), or -1 if s does not start with one.
 */
long long	 text_duration(const char *, size_t, size_t *);
/*
 * A time as RFC 3339 writes it (Anthropic's rate-limit resets), such as
 * 2026-01-01T00:00:30Z or 2026-01-01T01:00:30.5+01:00: the ms from now_ms
 * (ms since the epoch) until then, 0 if it has passed, -1 if s is no
 * such time.
 */
long long	 text_time_ms(const char *, long long);
/* The estimated tokens of this many bytes of prompt. */
long long	 text_tokens(size_t);

#endif
