#include <stdio.h>
#include <string.h>

#include "batchfile.h"
#include "jsonw.h"

/*
 * A path that stays under the base: no "." or ".." segment, plain or
 * percent-encoded, which would take the request (and the key) elsewhere
 * on the host; and nothing a URL cannot hold as it is.
 */
static int
safe_path(const char *p, size_t len)
{
	size_t	 k, seg = 0, dots = 0, other = 0;

	for (k = 0; k <= len; k++) {
		if (k == len || p[k] == '/' || p[k] == '?') {
			if (k > seg && other == 0 && dots <= 2)
				return 0;	/* "." or ".." */
			if (k < len && p[k] == '?')
				break;
			seg = k + 1;
			dots = other = 0;
		} else if (p[k] == '.')
			dots++;
		else if (p[k] == '%' && k + 2 < len && p[k + 1] == '2' &&
		    (p[k + 2] == 'e' || p[k + 2] == 'E')) {
			dots++;
			k += 2;
		} else
			other++;
	}
	for (k = 0; k < len; k++)
		if ((unsigned char)p[k] <= ' ' || p[k] == 0x7f || p[k] == '#')
			return 0;
	return 1;
}

int
batchfile_request(const struct json *j, const char *base, struct buf *url,
    struct buf *body, char *err, size_t errlen)
{
	const char	*raw;
	size_t		 off, len, blen = strlen(base);
	int		 t;

	t = json_get(j, 0, "method", 6);
	if (t != -1 && (json_type(j, t) != JSON_STRING || (json_string_raw(j,
	    t, &raw, &len), len != 4 || memcmp(raw, "POST", 4) != 0))) {
		snprintf(err, errlen, "batch line: only method POST is sent");
		return 1;
	}
	t = json_get(j, 0, "url", 3);
	if (json_type(j, t) != JSON_STRING ||
	    (json_string_raw(j, t, &raw, &len), len == 0 || *raw != '/' ||
	    memchr(raw, '\\', len) != NULL)) {
		snprintf(err, errlen, "batch line: no \"url\" path");
		return 1;
	}
	if (!safe_path(raw, len)) {
		snprintf(err, errlen, "batch line: \"url\" must be a plain "
		    "path under --url, without . or .. segments, spaces or "
		    "control characters");
		return 1;
	}
	if (blen >= 3 && strcmp(base + blen - 3, "/v1") == 0 && len >= 4 &&
	    memcmp(raw, "/v1/", 4) == 0) {
		raw += 3;
		len -= 3;
	}
	if (buf_adds(url, base) == -1 || buf_add(url, raw, len) == -1 ||
	    buf_addc(url, '\0') == -1)
		return -1;
	t = json_get(j, 0, "body", 4);
	if (json_type(j, t) != JSON_OBJECT) {
		snprintf(err, errlen, "batch line: no \"body\" object");
		return 1;
	}
	json_span(j, t, &off, &len);
	return json_compact(body, json_text(j) + off, len, 0) == -1 ? -1 : 0;
}

int
batchfile_output(struct buf *b, uint64_t lineno, const char *id, size_t idlen,
    const struct xfer *x, const char *type, const char *msg, size_t msglen)
{
	struct jsonw	 w;
	const char	*rid;
	char		 name[32];
	int		 n;

	snprintf(name, sizeof(name), "batch_req_%llu",
	    (unsigned long long)lineno);
	jsonw_begin(&w, b);
	jsonw_str(&w, "id", name, strlen(name));
	jsonw_raw(&w, "custom_id", id, idlen);
	if (x != NULL) {
		rid = x->header[XH_REQUEST_ID];
		jsonw_open(&w, "response", &n);
		jsonw_uint(&w, "status_code", x->status);
		if (*rid != '\0')
			jsonw_str(&w, "request_id", rid, strlen(rid));
		else
			jsonw_null(&w, "request_id");
		/* A body that is not JSON is kept, as a string. */
		jsonw_raw(&w, "body", x->resp.data != NULL ? x->resp.data :
		    "", x->resp.len);
		jsonw_close(&w, n);
		jsonw_null(&w, "error");
	} else {
		jsonw_null(&w, "response");
		jsonw_open(&w, "error", &n);
		jsonw_str(&w, "code", type, strlen(type));
		jsonw_str(&w, "message", msg != NULL ? msg : "", msglen);
		jsonw_close(&w, n);
	}
	return jsonw_end(&w, 1);
}

int
batchfile_request_line(struct buf *b, const char *id, size_t idlen,
    const char *url, const char *body, size_t bodylen)
{
	struct jsonw	 w;

	jsonw_begin(&w, b);
	jsonw_str(&w, "custom_id", id, idlen);
	jsonw_str(&w, "method", "POST", 4);
	jsonw_str(&w, "url", url, strlen(url));
	jsonw_raw(&w, "body", body, bodylen);
	return jsonw_end(&w, 1);
}

int
batchfile_parse_result(struct json *j, const char *text, size_t len,
    struct batchfile_result *r, char *err, size_t errlen)
{
	const char	*raw;
	size_t		 off, n;
	char		 jerr[128];
	int		 t, resp, e;

	r->status = 0;
	r->body = NULL;
	r->bodylen = 0;
	r->code[0] = r->msg[0] = '\0';
	buf_reset(r->custom_id);
	if (json_parse(j, text, len, jerr, sizeof(jerr)) == -1) {
		snprintf(err, errlen, "not JSON: %s", jerr);
		return 1;
	}
	if (json_type(j, 0) != JSON_OBJECT) {
		snprintf(err, errlen, "not a JSON object");
		return 1;
	}
	t = json_get(j, 0, "custom_id", 9);
	if (json_type(j, t) != JSON_STRING) {
		snprintf(err, errlen, "a result line without a custom_id");
		return 1;
	}
	json_string_raw(j, t, &raw, &n);
	if (json_decode_string(r->custom_id, raw, n) == -1)
		return -1;
	resp = json_get(j, 0, "response", 8);
	if (json_type(j, resp) == JSON_OBJECT) {
		r->status = json_get_count(j, resp, "status_code", 999);
		if (r->status < 100 || r->status > 999) {
			snprintf(err, errlen, "a result line without a "
			    "status_code");
			return 1;
		}
		t = json_get(j, resp, "body", 4);
		if (t != -1) {
			json_span(j, t, &off, &n);
			r->body = json_text(j) + off;
			r->bodylen = n;
		}
		return 0;
	}
	e = json_get(j, 0, "error", 5);
	if (json_type(j, e) != JSON_OBJECT) {
		snprintf(err, errlen, "a result line with neither response "
		    "nor error");
		return 1;
	}
	json_get_text(j, e, "code", r->code, sizeof(r->code));
	json_get_text(j, e, "message", r->msg, sizeof(r->msg));
	return 0;
}

int
batchfile_unanswered(const struct batchfile_result *res)
{
	return res->status == 0 && (strcmp(res->code, "batch_expired") == 0 ||
	    strcmp(res->code, "batch_cancelled") == 0);
}
