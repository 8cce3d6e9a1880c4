/*
 * What a STATE's rows are asked.  See bsettings.h.
 */
#include <sha2.h>
#include <stdio.h>
#include <string.h>

#include "bsettings.h"

static void
setting_hash(const struct bstate_setting *s, char *out)
{
	char	 hex[SHA256_DIGEST_STRING_LENGTH];

	if (s->value == NULL) {
		strlcpy(out, "-", BSETTINGS_HEX + 1);
		return;
	}
	SHA256Data((const uint8_t *)s->value, s->len, hex);
	strlcpy(out, hex, BSETTINGS_HEX + 1);
}

int
bsettings_write(struct buf *b, const struct bstate_setting *set, size_t n)
{
	char	 h[BSETTINGS_HEX + 1];
	size_t	 k;

	if (buf_addc(b, '{') == -1)
		return -1;
	for (k = 0; k < n; k++) {
		setting_hash(&set[k], h);
		if ((k > 0 && buf_addc(b, ',') == -1) ||
		    json_quote(b, set[k].name, strlen(set[k].name)) == -1 ||
		    buf_addc(b, ':') == -1 || json_quote(b, h, strlen(h)) == -1)
			return -1;
	}
	return buf_addc(b, '}');
}

int
bsettings_read(struct bsettings *s, const struct json *j, int t)
{
	struct json_members	 m = { 0 };
	const char		*text = json_text(j);
	size_t			 i, vlen;
	size_t			 v;

	if (json_members(j, t, &m) == -1)
		return -1;
	s->n = 0;
	for (i = 0; i < m.n && s->n < BSETTINGS_MAX; i++) {
		vlen = m.v[i].valend - m.v[i].val;
		if (text[m.v[i].val] != '"' || vlen < 2)
			continue;
		v = s->n++;
		snprintf(s->names[v], sizeof(s->names[v]), "%.*s",
		    (int)m.v[i].keylen, text + m.v[i].key);
		snprintf(s->hashes[v], sizeof(s->hashes[v]), "%.*s",
		    (int)vlen - 2, text + m.v[i].val + 1);
	}
	json_members_free(&m);
	return 0;
}

int
bsettings_compare(const struct bsettings *s, const struct bstate_setting *set,
    size_t n, char *err, size_t errlen)
{
	char	 h[BSETTINGS_HEX + 1], names[200] = "";
	size_t	 k, i;
	int	 differ = 0;

	for (k = 0; k < n; k++) {
		setting_hash(&set[k], h);
		for (i = 0; i < s->n; i++)
			if (strcmp(s->names[i], set[k].name) == 0)
				break;
		if (i < s->n && strcmp(s->hashes[i], h) == 0)
			continue;
		if (differ++ > 0)
			strlcat(names, ", ", sizeof(names));
		strlcat(names, set[k].name, sizeof(names));
	}
	if (differ == 0)
		return 0;
	snprintf(err, errlen, "made by a run with another %s: its answers "
	    "would not be to what this run asks; run with the same "
	    "options, or start again with a new STATE", names);
	return -1;
}
