/*
 * json_parse's tokens against jsmn's, for the texts json_parse takes: the
 * tokens json.c made with jsmn before it made them itself, in the same
 * pass as its validation.  For test_json.c and fuzz_json.c.
 */
#ifndef JSMN_SAME_H
#define JSMN_SAME_H

#include <stdlib.h>

#define JSMN_STATIC	/* CPPFLAGS sets JSMN_PARENT_LINKS, JSMN_STRICT */
#include <jsmn.h>

#include "json.h"

/* 1 if the json_parse'd j holds jsmn's tokens for text, else 0. */
static int
jsmn_same(const struct json *j, const char *text, size_t len)
{
	jsmn_parser	 p;
	jsmntok_t	*t;
	enum json_type	 want;
	size_t		 a = 0, off, n;
	int		 i, k, count, same = 0;

	while (a < len && (text[a] == ' ' || text[a] == '\t' ||
	    text[a] == '\n' || text[a] == '\r'))
		a++;
	/* Strict jsmn wants a delimiter after a primitive: json.c made that
	 * one token itself. */
	if (a < len && text[a] != '{' && text[a] != '[' && text[a] != '"') {
		want = json_type(j, 0);
		return want != JSON_NONE && want != JSON_OBJECT &&
		    want != JSON_ARRAY && want != JSON_STRING &&
		    json_type(j, 1) == JSON_NONE;
	}
	jsmn_init(&p);
	if ((count = jsmn_parse(&p, text, len, NULL, 0)) < 1 ||
	    (t = calloc(count, sizeof(*t))) == NULL)
		return 0;
	jsmn_init(&p);
	if (jsmn_parse(&p, text, len, t, count) != count)
		goto out;
	for (i = 0; i < count; i++) {
		switch (t[i].type) {
		case JSMN_OBJECT:
			want = JSON_OBJECT;
			break;
		case JSMN_ARRAY:
			want = JSON_ARRAY;
			break;
		case JSMN_STRING:
			want = JSON_STRING;
			break;
		default:
			want = text[t[i].start] == 't' ? JSON_TRUE :
			    text[t[i].start] == 'f' ? JSON_FALSE :
			    text[t[i].start] == 'n' ? JSON_NULL : JSON_NUMBER;
			break;
		}
		if (json_type(j, i) != want)
			goto out;
		json_span(j, i, &off, &n);
		if (want == JSON_STRING ? off + 1 != (size_t)t[i].start ||
		    n != (size_t)(t[i].end - t[i].start) + 2 :
		    off != (size_t)t[i].start ||
		    n != (size_t)(t[i].end - t[i].start))
			goto out;
		if (json_len(j, i) != (want == JSON_OBJECT ||
		    want == JSON_ARRAY ? (size_t)t[i].size : 0))
			goto out;
		/* The token after i and all it holds. */
		for (k = i + 1; k < count && (want == JSON_OBJECT ||
		    want == JSON_ARRAY) && t[k].start < t[i].end; k++)
			;
		if (json_next(j, i) != k)
			goto out;
	}
	same = json_type(j, count) == JSON_NONE;
out:
	free(t);
	return same;
}

#endif
