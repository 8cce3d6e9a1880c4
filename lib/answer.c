#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "request.h"

#define ERROR_TEXT_MAX	500	/* bytes of a non-JSON error body quoted */

int
answer_confidence(const struct request *r, const struct json *j,
    size_t start, size_t end, struct buf *scratch, double *p)
{
	struct request_form	 f;

	request_get_form(r, &f);
	if (f.shape->confidence == NULL)
		return -1;
	return f.shape->confidence(j, start, end, scratch, p);
}

long long
answer_tokens(const struct json *j, int obj, const char *key)
{
	return json_get_count(j, obj, key, ANSWER_TOKENS_MAX);
}

int
answer_read(const struct request *r, struct json *j, const char *text,
    size_t len, struct buf *scratch, struct answer *a, char *err,
    size_t errlen)
{
	struct request_form	 f;
	char			 jerr[96];
	size_t			 off, n;
	int			 t;

	if (json_parse(j, text, len, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "response is not JSON: %s", jerr);
		return -1;
	}
	request_get_form(r, &f);
	if (f.extract == NULL)
		return f.shape->answer(f.data, j, text, scratch, a, err,
		    errlen);
	f.shape->usage(j, a);
	t = tmpl_lookup(f.extract, j, 0);
	switch (json_type(j, t)) {
	case JSON_NONE:
		snprintf(err, errlen, "response has no value at --extract");
		return -1;
	case JSON_NULL:
		snprintf(err, errlen, "the value at --extract is null");
		return -1;
	case JSON_STRING:
		json_span(j, t, &off, &n);
		a->value = text + off;
		a->len = n;
		a->string = 1;
		return 0;
	default:
		/* Compact: the value goes on one output line. */
		json_span(j, t, &off, &n);
		buf_reset(scratch);
		if (json_compact(scratch, text + off, n, 0) == -1) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		a->value = scratch->data;
		a->len = scratch->len;
		a->string = 0;
		return 0;
	}
}

/* Append a string member's decoded text, if it is a string. */
static int
add_string(const struct json *j, int obj, const char *key, struct buf *b)
{
	const char	*raw;
	size_t		 n;
	int		 t;

	t = obj == -1 ? 0 : json_get(j, obj, key, strlen(key));
	if (json_type(j, t) != JSON_STRING)
		return 0;
	json_string_raw(j, t, &raw, &n);
	return json_decode_string(b, raw, n) == -1 ? -1 : 1;
}

int
answer_error(struct json *j, const char *text, size_t len, struct buf *msg,
    struct buf *code)
{
	char	 jerr[8];
	size_t	 n;
	int	 e, rv;

	buf_reset(msg);
	buf_reset(code);
	if (json_parse(j, text, len, jerr, sizeof(jerr)) == 0 &&
	    (e = json_get(j, 0, "error", 5)) != -1) {
		if (json_type(j, e) == JSON_STRING)
			return add_string(j, 0, "error", msg) == -1 ? -1 : 0;
		if ((rv = add_string(j, e, "code", code)) == 0)
			rv = add_string(j, e, "type", code);
		if (rv == -1 || (rv = add_string(j, e, "message", msg)) == -1)
			return -1;
		if (rv == 1)
			return 0;
	}
	/* Not an OpenAI error: quote the start, on one line. */
	n = len > ERROR_TEXT_MAX ? ERROR_TEXT_MAX : len;
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	if (buf_add(msg, text, n) == -1)
		return -1;
	for (n = 0; n < msg->len; n++)
		if (msg->data[n] == '\n' || msg->data[n] == '\r')
			msg->data[n] = ' ';
	return 0;
}
