#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bapi.h"
#include "jsonw.h"

static const char *const names[] = {
	[BAPI_UNKNOWN] = "unknown",
	[BAPI_VALIDATING] = "validating",
	[BAPI_IN_PROGRESS] = "in_progress",
	[BAPI_FINALIZING] = "finalizing",
	[BAPI_CANCELLING] = "cancelling",
	[BAPI_COMPLETED] = "completed",
	[BAPI_EXPIRED] = "expired",
	[BAPI_FAILED] = "failed",
	[BAPI_CANCELLED] = "cancelled"
};

const char *
bapi_status_name(enum bapi_status s)
{
	return s <= BAPI_CANCELLED ? names[s] : names[BAPI_UNKNOWN];
}

int
bapi_status_final(enum bapi_status s)
{
	return s >= BAPI_COMPLETED;
}

int
bapi_create_body(struct buf *b, const char *file, const char *endpoint)
{
	struct jsonw	 w;

	jsonw_begin(&w, b);
	jsonw_str(&w, "input_file_id", file, strlen(file));
	jsonw_str(&w, "endpoint", endpoint, strlen(endpoint));
	jsonw_str(&w, "completion_window", "24h", 3);
	return jsonw_end(&w, 0);
}

int
bapi_id_ok(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n < BAPI_ID_MAX && strspn(s, "abcdefghijklmnopqrstu"
	    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

/* A string member that is an ID, into out; "" when absent or null. */
static int
get_id(const struct json *j, int obj, const char *key, char *out)
{
	const char	*raw;
	size_t		 len;
	int		 t = json_get(j, obj, key, strlen(key));

	*out = '\0';
	if (t == -1 || json_type(j, t) == JSON_NULL)
		return 0;
	if (json_type(j, t) != JSON_STRING)
		return -1;
	json_string_raw(j, t, &raw, &len);
	if (len >= BAPI_ID_MAX)
		return -1;
	memcpy(out, raw, len);
	out[len] = '\0';
	return bapi_id_ok(out) ? 0 : -1;
}

static int
read_batch(const struct json *j, int t, struct bapi_batch *b, char *err,
    size_t errlen)
{
	const char	*raw;
	size_t		 len;
	int		 s, k, e;

	memset(b, 0, sizeof(*b));
	if (json_type(j, t) != JSON_OBJECT) {
		snprintf(err, errlen, "a batch object expected");
		return -1;
	}
	if (get_id(j, t, "id", b->id) == -1 || *b->id == '\0' ||
	    get_id(j, t, "input_file_id", b->input_file_id) == -1 ||
	    get_id(j, t, "output_file_id", b->output_file_id) == -1 ||
	    get_id(j, t, "error_file_id", b->error_file_id) == -1) {
		snprintf(err, errlen, "a batch object without usable IDs");
		return -1;
	}
	s = json_get(j, t, "status", 6);
	if (json_type(j, s) != JSON_STRING) {
		snprintf(err, errlen, "a batch object without a status");
		return -1;
	}
	json_string_raw(j, s, &raw, &len);
	snprintf(b->status_text, sizeof(b->status_text), "%.*s",
	    (int)(len < sizeof(b->status_text) ? len :
	    sizeof(b->status_text) - 1), raw);
	for (k = 0; b->status_text[k] != '\0'; k++)
		if ((unsigned char)b->status_text[k] < ' ' ||
		    b->status_text[k] == '\\' || b->status_text[k] == 0x7f)
			b->status_text[k] = '?';
	b->status = BAPI_UNKNOWN;
	for (k = BAPI_VALIDATING; k <= BAPI_CANCELLED; k++)
		if (strlen(names[k]) == len && memcmp(names[k], raw, len) == 0)
			b->status = k;
	k = json_get(j, t, "request_counts", 14);
	b->total = json_get_count(j, k, "total", LLONG_MAX);
	b->completed = json_get_count(j, k, "completed", LLONG_MAX);
	b->failed = json_get_count(j, k, "failed", LLONG_MAX);
	/* "errors": {"data":[{"code","message","line"}]} when failed. */
	e = json_index(j, json_get(j, json_get(j, t, "errors", 6), "data", 4),
	    0);
	if (e != -1)
		json_get_text(j, e, "message", b->why, sizeof(b->why));
	return 0;
}

static int
parse(struct json *j, const char *text, size_t len, char *err, size_t errlen)
{
	char	 jerr[128];

	if (json_parse(j, text, len, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "not JSON: %s", jerr);
		return -1;
	}
	if (json_type(j, 0) != JSON_OBJECT) {
		snprintf(err, errlen, "not a JSON object");
		return -1;
	}
	return 0;
}

int
bapi_parse_file(struct json *j, const char *text, size_t len, char *id,
    char *err, size_t errlen)
{
	if (parse(j, text, len, err, errlen) == -1)
		return -1;
	if (get_id(j, 0, "id", id) == -1 || *id == '\0') {
		snprintf(err, errlen, "a file object without a usable ID");
		return -1;
	}
	return 0;
}

int
bapi_parse_batch(struct json *j, const char *text, size_t len,
    struct bapi_batch *b, char *err, size_t errlen)
{
	if (parse(j, text, len, err, errlen) == -1)
		return -1;
	return read_batch(j, 0, b, err, errlen);
}

int
bapi_find_batch(struct json *j, const char *text, size_t len,
    const char *file, struct bapi_batch *b, char *err, size_t errlen)
{
	size_t	 k;
	int	 d, t;

	if (parse(j, text, len, err, errlen) == -1)
		return -1;
	if (json_type(j, (d = json_get(j, 0, "data", 4))) != JSON_ARRAY) {
		snprintf(err, errlen, "a list without \"data\"");
		return -1;
	}
	for (k = 0; (t = json_index(j, d, k)) != -1; k++) {
		if (read_batch(j, t, b, err, errlen) == -1)
			continue;
		if (strcmp(b->input_file_id, file) == 0)
			return 1;
	}
	memset(b, 0, sizeof(*b));
	return 0;
}
