/*
 * mock_logprobs.c: choices[0].logprobs for an answer, as OpenAI sends it
 * when a request says "logprobs": true.  The tokens and their logprobs
 * are made up but deterministic, so a test can recompute what a client
 * should make of them.  Whether they are owed ("logprobs", [[no-logprobs]])
 * is mock_chat.c's business.
 */

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mock.h"

/* Letters, digits and any byte of a multibyte character make words. */
static int
is_word(unsigned char ch)
{
	return isalnum(ch) || ch >= 0x80;
}

/*
 * The end of the token that starts at s[i]: a word with the one space
 * before it, at most 8 bytes unless that would split a character, or
 * else one byte alone (punctuation, a newline, a space before no word).
 * Tokens cover the content with no gap, so they add up to it exactly.
 */
static size_t
token_end(const char *s, size_t n, size_t i)
{
	size_t k = i, j;

	if (s[k] == ' ' && k + 1 < n && is_word((unsigned char)s[k + 1]))
		k++;
	if (!is_word((unsigned char)s[k]))
		return k + 1;
	for (j = k + 1; j < n && is_word((unsigned char)s[j]) &&
	    (j - i < 8 || ((unsigned char)s[j] & 0xc0) == 0x80); j++)
		;
	return j;
}

/* A logprob in units of 1e-4, negated: from 1 (-0.0001) to 25000 (-2.5). */
static uint64_t
token_logprob(const char *t, size_t tl, size_t pos)
{
	uint64_t z = fnv1a(t, tl) ^ (pos + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return 1 + (z ^ (z >> 31)) % 25000;
}

/*
 * "token":...,"logprob":...,"bytes":[...] for t followed by alt '~'s
 * (the made-up alternatives), with the logprob lp, as JSON text.
 */
static void
token_fields(struct buf *b, const char *t, size_t tl, int alt, const char *lp)
{
	size_t i;
	int k;

	buf_adds(b, "\"token\":\"");
	buf_add_jstr(b, t, tl);
	for (k = 0; k < alt; k++)
		buf_addc(b, '~');
	buf_addf(b, "\",\"logprob\":%s,\"bytes\":[", lp);
	for (i = 0; i < tl; i++)
		buf_addf(b, "%s%u", i ? "," : "", (unsigned char)t[i]);
	for (k = 0; k < alt; k++)
		buf_addf(b, "%s%u", tl + (size_t)k ? "," : "",
		    (unsigned char)'~');
	buf_addc(b, ']');
}

/*
 * A logprob as JSON text: -u / 10000 of a made-up one, or, given exactly
 * (p > 0: ln p for [[as:...@P]]), lp with all its digits, so that exp()
 * of it gives p back.
 */
static const char *
logprob_text(char *s, size_t len, double p, double lp, uint64_t u)
{
	if (p > 0)
		snprintf(s, len, "%.17g", lp);
	else
		snprintf(s, len, "-%" PRIu64 ".%04" PRIu64, u / 10000,
		    u % 10000);
	return s;
}

/*
 * choices[0].logprobs as OpenAI sends it: the content cut by token_end,
 * each token's logprob a function of its text and place, and its
 * top_logprobs (at most 5) the token itself, then made-up alternatives
 * (the token with one '~' more each), each less likely by e^2 or more and
 * the first by e^3.  The alternatives' probabilities are not fitted to
 * 1 - p(token); they are small, not exact.  With p in (0, 1] the first
 * token's logprob is ln p and every other's 0, so that the answer's
 * probability, or that of any part of it holding its first token, is p.
 */
void
logprobs_add(struct buf *b, const char *s, size_t n, long long top, double p)
{
	size_t i, j, pos;
	uint64_t u;
	double lp;
	long long k;
	char num[40];

	if (top > 5)
		top = 5;
	buf_adds(b, "{\"content\":[");
	for (i = pos = 0; i < n; i = j, pos++) {
		j = token_end(s, n, i);
		u = token_logprob(s + i, j - i, pos);
		lp = p > 0 && pos == 0 ? log(p) : 0;
		buf_adds(b, pos ? ",{" : "{");
		token_fields(b, s + i, j - i, 0, logprob_text(num,
		    sizeof(num), p, lp, u));
		buf_adds(b, ",\"top_logprobs\":[");
		for (k = 0; k < top; k++) {
			buf_adds(b, k ? ",{" : "{");
			token_fields(b, s + i, j - i, (int)k, logprob_text(num,
			    sizeof(num), p, k == 0 ? lp : lp - 1 - 2 *
			    (double)k, k == 0 ? u : u + 10000 + 20000 *
			    (uint64_t)k + u % 997));
			buf_addc(b, '}');
		}
		buf_adds(b, "]}");
	}
	buf_adds(b, "],\"refusal\":null}");
}
