#include <string.h>

#include "json.h"
#include "jsonw.h"

void
jsonw_begin(struct jsonw *w, struct buf *b)
{
	w->b = b;
	w->n = 0;
	w->err = buf_addc(b, '{');
}

static int
key(struct jsonw *w, const char *k)
{
	if (w->err)
		return -1;
	if ((w->n++ > 0 && buf_addc(w->b, ',') == -1) ||
	    json_quote(w->b, k, strlen(k)) == -1 || buf_addc(w->b, ':') == -1)
		w->err = -1;
	return w->err;
}

void
jsonw_str(struct jsonw *w, const char *k, const char *s, size_t len)
{
	if (key(w, k) == 0 && json_quote(w->b, s, len) == -1)
		w->err = -1;
}

void
jsonw_raw(struct jsonw *w, const char *k, const char *s, size_t len)
{
	char	 e[8];
	int	 rv;

	if (key(w, k) != 0)
		return;
	if (json_validate(s, len, e, sizeof(e)) == 0)
		rv = json_compact(w->b, s, len, 0);
	else
		rv = json_quote(w->b, s, len);
	if (rv == -1)
		w->err = -1;
}

void
jsonw_uint(struct jsonw *w, const char *k, unsigned long long v)
{
	if (key(w, k) == 0 && buf_addu(w->b, v) == -1)
		w->err = -1;
}

void
jsonw_count(struct jsonw *w, const char *k, long long v)
{
	if (key(w, k) == 0 && (v >= 0 ? buf_addu(w->b, v) :
	    buf_adds(w->b, "null")) == -1)
		w->err = -1;
}

void
jsonw_bool(struct jsonw *w, const char *k, int v)
{
	if (key(w, k) == 0 && buf_adds(w->b, v ? "true" : "false") == -1)
		w->err = -1;
}

void
jsonw_null(struct jsonw *w, const char *k)
{
	if (key(w, k) == 0 && buf_adds(w->b, "null") == -1)
		w->err = -1;
}

void
jsonw_open(struct jsonw *w, const char *k, int *saved)
{
	*saved = w->n;
	if (key(w, k) == 0 && buf_addc(w->b, '{') == -1)
		w->err = -1;
	*saved = *saved + 1;
	w->n = 0;
}

void
jsonw_close(struct jsonw *w, int saved)
{
	if (!w->err && buf_addc(w->b, '}') == -1)
		w->err = -1;
	w->n = saved;
}

int
jsonw_end(struct jsonw *w, int nl)
{
	if (!w->err && (buf_addc(w->b, '}') == -1 ||
	    (nl && buf_addc(w->b, '\n') == -1)))
		w->err = -1;
	return w->err ? -1 : 0;
}
