/*
 * Templates: the first line is the template, the rest a row.  Compiling
 * never crashes; rendering in JSON mode always gives a valid JSON string,
 * and a body template that compiled always renders valid JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json	*j;
	static struct buf	 out;
	const char		*s = (const char *)data, *nl;
	struct tmpl		*t;
	char			 err[256];
	size_t			 tl;
	int			 flags;

	if (j == NULL)
		j = json_new();
	nl = memchr(s, '\n', size);
	tl = nl ? (size_t)(nl - s) : size;
	for (flags = 0; flags <= TMPL_BODY; flags++) {
		if ((t = tmpl_compile(s, tl, flags, err, sizeof(err))) == NULL)
			continue;
		if (flags & TMPL_BODY) {
			if (nl != NULL && json_parse(j, nl + 1, size - tl - 1,
			    err, sizeof(err)) == 0) {
				buf_reset(&out);
				if (tmpl_render(t, j, 0, &out, TMPL_VALUES, err,
				    sizeof(err)) == 0 && json_validate(out.data,
				    out.len, err, sizeof(err)) == -1)
					abort();
			}
			tmpl_free(t);
			continue;
		}
		if (nl != NULL && json_parse(j, nl + 1, size - tl - 1, err,
		    sizeof(err)) == 0) {
			buf_reset(&out);
			buf_addc(&out, '"');
			if (tmpl_render(t, j, 0, &out, TMPL_JSON, err,
			    sizeof(err)) == 0) {
				buf_addc(&out, '"');
				if (json_validate(out.data, out.len, err,
				    sizeof(err)) == -1)
					abort();
			}
			buf_reset(&out);
			(void)tmpl_render(t, j, 0, &out, TMPL_TEXT, err,
			    sizeof(err));
		}
		tmpl_free(t);
	}
	return 0;
}
