/*
 * mock_json.c: reading request bodies.  A chat completions body gives its
 * model, the text of its first user message (the row's: a re-ask appends
 * the model's answer and a complaint after it), whether it is a re-ask
 * and whether it asks for logprobs; an embeddings body its model and
 * input; the counts of their bytes stand in for tokens.  Only
 * this file knows jsmn: the answers are written with buf_add_jstr, no
 * tree needed.
 */

#include <err.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The tokenizer's implementation lives here, private to this file. */
#define JSMN_STATIC
#include <jsmn.h>

#include "mock.h"

/* Grown on demand and kept, as the sc_ buffers are. */
static jsmntok_t *toks;
static unsigned int ntoks;
static int last_n;		/* tokens of the last chat body */

static int
hex4(const char *s, uint32_t *v)
{
	int i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

static size_t
utf8_put(char *o, uint32_t cp)
{
	char t[4];
	size_t n;

	if (o == NULL)
		o = t;
	if (cp < 0x80) {
		o[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		o[0] = (char)(0xf0 | cp >> 18);
		o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return n;
}

/*
 * Decode the inside of a JSON string into out (which may be NULL to only
 * count) and return the decoded length, which is never more than n.  A
 * lone surrogate becomes U+FFFD rather than invalid UTF-8.
 */
static size_t
json_unescape(const char *s, size_t n, char *out)
{
	const char *bs;
	size_t i, o, run;
	uint32_t cp, lo;
	char ch;

	for (i = o = 0; i < n;) {
		bs = memchr(s + i, '\\', n - i);
		run = (bs == NULL ? n : (size_t)(bs - s)) - i;
		if (out != NULL)
			memcpy(out + o, s + i, run);
		o += run;
		i += run;
		if (i + 1 >= n)
			break;
		switch (s[i + 1]) {
		case 'n':
			ch = '\n';
			break;
		case 'r':
			ch = '\r';
			break;
		case 't':
			ch = '\t';
			break;
		case 'b':
			ch = '\b';
			break;
		case 'f':
			ch = '\f';
			break;
		case 'u':
			if (i + 6 > n || hex4(s + i + 2, &cp) == -1) {
				i = n;
				continue;
			}
			i += 6;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (i + 6 <= n && s[i] == '\\' &&
				    s[i + 1] == 'u' &&
				    hex4(s + i + 2, &lo) == 0 &&
				    lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
					i += 6;
				} else
					cp = 0xfffd;
			} else if (cp >= 0xdc00 && cp <= 0xdfff)
				cp = 0xfffd;
			o += utf8_put(out == NULL ? NULL : out + o, cp);
			continue;
		default:		/* " \ / */
			ch = s[i + 1];
			break;
		}
		if (out != NULL)
			out[o] = ch;
		o++;
		i += 2;
	}
	return o;
}

/*
 * Tokenize a whole body into toks, growing the array when jsmn runs out:
 * jsmn keeps its place, so the same parser simply goes on.  One spare
 * token stays past the end as a sentinel.  Returns the token count or a
 * JSMN_ERROR.
 */
static int
json_tokenize(const char *js, size_t len)
{
	jsmn_parser p;
	jsmntok_t *t;
	unsigned int n;
	int r;

	jsmn_init(&p);
	for (;;) {
		if (toks == NULL) {
			if ((toks = reallocarray(NULL, 257, sizeof(*toks))) ==
			    NULL)
				err(1, NULL);
			ntoks = 256;
		}
		r = jsmn_parse(&p, js, len, toks, ntoks);
		if (r != JSMN_ERROR_NOMEM)
			break;
		if (ntoks > INT_MAX / 4)
			return JSMN_ERROR_NOMEM;
		n = ntoks * 2;
		if ((t = reallocarray(toks, n + 1, sizeof(*toks))) == NULL)
			err(1, NULL);
		toks = t;
		ntoks = n;
	}
	if (r >= 0)
		memset(&toks[r], 0, sizeof(toks[r]));
	return r;
}

static int
tok_is(const char *js, int t, const char *s)
{
	size_t n = strlen(s);

	return toks[t].type == JSMN_STRING &&
	    (size_t)(toks[t].end - toks[t].start) == n &&
	    memcmp(js + toks[t].start, s, n) == 0;
}

/*
 * The value of key in object obj, or -1.  With parent links a key is a
 * string whose parent is the object, and its value the next token.
 */
static int
obj_get(const char *js, int obj, const char *key, int n)
{
	int i;

	for (i = obj + 1; i < n && toks[i].start < toks[obj].end; i++)
		if (toks[i].parent == obj && tok_is(js, i, key) &&
		    i + 1 < n && toks[i + 1].parent == i)
			return i + 1;
	return -1;
}

/*
 * Files in a user message (enrich -a): image_url and file parts (chat),
 * image and document blocks (Messages).  Each base64 one is decoded and
 * its bytes must be what its media type says (the magic bytes, as the
 * real APIs check them), else part_err says why, for a 400; the row's
 * text then gets " <TYPE LENGTH CRC>", the decoded bytes' length and
 * CRC-32, or
 * " <url URL>", so an echoed answer proves which bytes came.
 */
static const char *part_err;
static struct buf sc_part;

static const char *
sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (n >= 5 && memcmp(p, "%PDF-", 5) == 0)
		return "application/pdf";
	return NULL;
}

/* CRC-32 as zlib computes it: a test's python3 checks it quickly. */
static uint32_t
crc32(const char *p, size_t n)
{
	static uint32_t table[256];
	uint32_t c;
	size_t i;
	int k;

	if (table[1] == 0)
		for (i = 0; i < 256; i++) {
			for (c = (uint32_t)i, k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320 ^ c >> 1 : c >> 1;
			table[i] = c;
		}
	for (c = 0xffffffff, i = 0; i < n; i++)
		c = table[(c ^ (unsigned char)p[i]) & 0xff] ^ c >> 8;
	return c ^ 0xffffffff;
}

static int
unbase64(const char *s, size_t n, struct buf *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/";
	const char *at;
	uint32_t v = 0;
	size_t i, bits = 0;

	out->len = 0;
	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n == 0 || n % 4 == 1)
		return -1;
	buf_reserve(out, n / 4 * 3 + 3);
	for (i = 0; i < n; i++) {
		if (s[i] == '\0' || (at = strchr(a, s[i])) == NULL)
			return -1;
		v = v << 6 | (uint32_t)(at - a);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out->p[out->len++] = (char)(v >> bits & 0xff);
		}
	}
	return 0;
}

/* Check base64 data against its media type; note it in out. */
static void
part_bytes(const char *type, size_t tlen, const char *data, size_t dlen,
    int want_pdf, struct buf *out)
{
	const char *got;

	if (unbase64(data, dlen, &sc_part) == -1) {
		part_err = "Invalid base64 data in a content part.";
		return;
	}
	got = sniff((const unsigned char *)sc_part.p, sc_part.len);
	if (got == NULL || strlen(got) != tlen || memcmp(got, type, tlen) != 0) {
		part_err = "The content part's data does not match its media "
		    "type.";
		return;
	}
	if (want_pdf != (strcmp(got, "application/pdf") == 0)) {
		part_err = want_pdf ? "Invalid file part: only PDF files are "
		    "supported." : "Invalid image: only PNG, JPEG, GIF and "
		    "WebP images are supported.";
		return;
	}
	buf_addf(out, " <%s %zu %08lx>", got, sc_part.len,
	    (unsigned long)crc32(sc_part.p, sc_part.len));
}

/* A data: URL's parts: "data:TYPE;base64,DATA". */
static void
part_data_url(const char *s, size_t n, int want_pdf, struct buf *out)
{
	const char *comma = memchr(s, ',', n);

	if (n < 5 || memcmp(s, "data:", 5) != 0 || comma == NULL ||
	    comma - s < 12 || memcmp(comma - 7, ";base64", 7) != 0) {
		part_err = "Invalid data URL in a content part.";
		return;
	}
	part_bytes(s + 5, (size_t)(comma - 7 - s - 5), comma + 1,
	    (size_t)(s + n - comma - 1), want_pdf, out);
}

static void
part_url(const char *js, int t, struct buf *out)
{
	buf_adds(out, " <url ");
	buf_add(out, js + toks[t].start, (size_t)(toks[t].end - toks[t].start));
	buf_addc(out, '>');
}

#define TOKLEN(t)	((size_t)(toks[t].end - toks[t].start))
#define TOKSTR(t)	(js + toks[t].start)

/* A part other than text, at object i. */
static void
part_decode(const char *js, int i, int type, int n, struct buf *out)
{
	int o, u, src, stype, mt, data, fn;

	if (tok_is(js, type, "image_url")) {
		if ((o = obj_get(js, i, "image_url", n)) == -1 ||
		    toks[o].type != JSMN_OBJECT ||
		    (u = obj_get(js, o, "url", n)) == -1 ||
		    toks[u].type != JSMN_STRING) {
			part_err = "Missing required parameter: "
			    "'messages[0].content[1].image_url.url'.";
			return;
		}
		if (TOKLEN(u) >= 5 && memcmp(TOKSTR(u), "data:", 5) == 0)
			part_data_url(TOKSTR(u), TOKLEN(u), 0, out);
		else if (TOKLEN(u) > 8 && (memcmp(TOKSTR(u), "https://", 8) ==
		    0 || memcmp(TOKSTR(u), "http://", 7) == 0))
			part_url(js, u, out);
		else
			part_err = "Invalid image URL.";
	} else if (tok_is(js, type, "file")) {
		if ((o = obj_get(js, i, "file", n)) == -1 ||
		    toks[o].type != JSMN_OBJECT ||
		    (fn = obj_get(js, o, "filename", n)) == -1 ||
		    toks[fn].type != JSMN_STRING || TOKLEN(fn) == 0 ||
		    (data = obj_get(js, o, "file_data", n)) == -1 ||
		    toks[data].type != JSMN_STRING) {
			part_err = "Invalid file part: file_data and filename "
			    "are required.";
			return;
		}
		part_data_url(TOKSTR(data), TOKLEN(data), 1, out);
	} else if (tok_is(js, type, "image") || tok_is(js, type, "document")) {
		if ((src = obj_get(js, i, "source", n)) == -1 ||
		    toks[src].type != JSMN_OBJECT ||
		    (stype = obj_get(js, src, "type", n)) == -1) {
			part_err = "source: Field required";
			return;
		}
		if (tok_is(js, stype, "url")) {
			if ((u = obj_get(js, src, "url", n)) == -1 ||
			    toks[u].type != JSMN_STRING)
				part_err = "source.url: Field required";
			else
				part_url(js, u, out);
			return;
		}
		if (!tok_is(js, stype, "base64") ||
		    (mt = obj_get(js, src, "media_type", n)) == -1 ||
		    toks[mt].type != JSMN_STRING ||
		    (data = obj_get(js, src, "data", n)) == -1 ||
		    toks[data].type != JSMN_STRING) {
			part_err = "source: Input tag does not match the "
			    "expected tags 'base64', 'url'";
			return;
		}
		part_bytes(TOKSTR(mt), TOKLEN(mt), TOKSTR(data), TOKLEN(data),
		    tok_is(js, type, "document"), out);
	} else
		part_err = "Invalid value for 'content[].type'.";
}

/*
 * The text of a message's content: a string, or the concatenated "text"
 * of an array of parts.  Appends to out when it is not NULL; returns the
 * decoded length either way.  With out, the other parts are checked and
 * noted in out too (part_decode).
 */
static size_t
content_decode(const char *js, int t, int n, struct buf *out)
{
	size_t len, total;
	int i, txt, type;

	if (toks[t].type == JSMN_STRING) {
		len = (size_t)(toks[t].end - toks[t].start);
		if (out == NULL)
			return json_unescape(js + toks[t].start, len, NULL);
		buf_reserve(out, len);
		len = json_unescape(js + toks[t].start, len,
		    out->p + out->len);
		out->len += len;
		return len;
	}
	if (toks[t].type != JSMN_ARRAY)
		return 0;
	total = 0;
	for (i = t + 1; i < n && toks[i].start < toks[t].end; i++) {
		if (toks[i].parent != t || toks[i].type != JSMN_OBJECT)
			continue;
		txt = obj_get(js, i, "text", n);
		type = obj_get(js, i, "type", n);
		if (txt != -1 && toks[txt].type == JSMN_STRING)
			total += content_decode(js, txt, n, out);
		else if (out != NULL && type != -1 && part_err == NULL)
			part_decode(js, i, type, n, out);
	}
	return total;
}

/*
 * Read a chat completions body: the model goes to sc_model, the first user
 * message's text to sc_user, and *cr says how many bytes all message
 * contents hold, whether an assistant message makes it a re-ask, and what
 * logprobs it asks for.  Other members ("response_format" of any type
 * among them) are accepted unread.  Returns NULL, or the message of a 400
 * with *param and *code set (to NULL when they do not apply).
 */
const char *
chat_parse(const char *js, size_t len, struct chatreq *cr,
    const char **param, const char **code)
{
	int n, i, m, t, model, role, content, first, seen;
	long long v;

	sc_model.len = sc_user.len = 0;
	memset(cr, 0, sizeof(*cr));
	*param = *code = NULL;
	n = last_n = json_tokenize(js, len);
	if (n < 1 || toks[0].type != JSMN_OBJECT)
		return "We could not parse the JSON body of your request. "
		    "(HINT: This likely means you aren't using your HTTP "
		    "library correctly. The OpenAI API expects a JSON "
		    "payload, but what was sent was not valid JSON.)";
	if ((model = obj_get(js, 0, "model", n)) != -1)
		content_decode(js, model, n, &sc_model);
	if ((t = obj_get(js, 0, "logprobs", n)) != -1)
		cr->logprobs = toks[t].type == JSMN_PRIMITIVE &&
		    js[toks[t].start] == 't';
	if ((t = obj_get(js, 0, "top_logprobs", n)) != -1 &&
	    !(toks[t].type == JSMN_PRIMITIVE && js[toks[t].start] == 'n')) {
		if (toks[t].type != JSMN_PRIMITIVE ||
		    parse_digits(js + toks[t].start,
		    (size_t)(toks[t].end - toks[t].start), 20, &v) != 0) {
			*param = "top_logprobs";
			*code = "integer_above_max_value";
			return "Invalid 'top_logprobs': expected an integer "
			    "from 0 to 20.";
		}
		cr->top_logprobs = v;
	}
	*param = "messages";
	if ((m = obj_get(js, 0, "messages", n)) == -1) {
		*code = "missing_required_parameter";
		return "Missing required parameter: 'messages'.";
	}
	if (toks[m].type != JSMN_ARRAY)
		return "Invalid type for 'messages': expected an array of "
		    "objects.";
	first = -1;
	seen = 0;
	for (i = m + 1; i < n && toks[i].start < toks[m].end; i++) {
		if (toks[i].parent != m)
			continue;
		if (toks[i].type != JSMN_OBJECT)
			return "Invalid type for 'messages': expected an "
			    "array of objects.";
		content = obj_get(js, i, "content", n);
		role = obj_get(js, i, "role", n);
		cr->messages++;
		if (content != -1)
			cr->prompt += content_decode(js, content, n, NULL);
		if (role == -1)
			continue;
		if (tok_is(js, role, "assistant"))
			cr->reask = 1;
		else if (tok_is(js, role, "user") && !seen) {
			first = content;
			seen = 1;
		}
	}
	part_err = NULL;
	if (first != -1)
		content_decode(js, first, n, &sc_user);
	if (part_err != NULL) {
		*code = "invalid_value";
		return part_err;
	}
	*param = NULL;
	return NULL;
}

/*
 * The completion budget of the body chat_parse read last:
 * max_completion_tokens, else max_tokens, else 0.
 */
long long
chat_budget(const char *js)
{
	static const char *const keys[] = { "max_completion_tokens",
	    "max_tokens" };
	long long v;
	size_t k;
	int t;

	for (k = 0; k < 2; k++) {
		if ((t = obj_get(js, 0, keys[k], last_n)) == -1 ||
		    toks[t].type != JSMN_PRIMITIVE)
			continue;
		v = strtoll(js + toks[t].start, NULL, 10);
		return v > 0 ? v : 0;
	}
	return 0;
}

/*
 * Read an embeddings body: the model to sc_model, the input (a string, or
 * the first of an array of them) to sc_user, so directives work as for
 * chat.  Returns NULL, or the message of a 400.
 */
const char *
embed_parse(const char *js, size_t len, size_t *prompt)
{
	int n, in;

	sc_model.len = sc_user.len = 0;
	*prompt = 0;
	n = json_tokenize(js, len);
	if (n < 1 || toks[0].type != JSMN_OBJECT)
		return "We could not parse the JSON body of your request.";
	if ((in = obj_get(js, 0, "model", n)) != -1)
		content_decode(js, in, n, &sc_model);
	if ((in = obj_get(js, 0, "input", n)) == -1)
		return "Missing required parameter: 'input'.";
	if (toks[in].type == JSMN_ARRAY && toks[in].size > 0)
		in++;
	if (toks[in].type != JSMN_STRING)
		return "Invalid type for 'input': expected a string.";
	*prompt = content_decode(js, in, n, &sc_user);
	return NULL;
}

void
json_cleanup(void)
{
	free(toks);
	toks = NULL;
	ntoks = 0;
	buf_free(&sc_part);
}

/* The top-level members the Messages API takes; any other is refused. */
static const char *const messages_fields[] = { "model", "messages",
    "max_tokens", "system", "metadata", "stop_sequences", "stream",
    "temperature", "top_k", "top_p", "tools", "tool_choice", "thinking",
    "service_tier", "output_format", NULL };

static struct buf sc_field;	/* a message naming a field */

/* The text of a system prompt: a string or text blocks; *cached set if a
 * block asks for cache_control.  NULL or the message of a 400. */
static const char *
system_decode(const char *js, int t, int n, struct buf *out, int *cached)
{
	int i, type, text, cc;

	if (toks[t].type == JSMN_STRING) {
		content_decode(js, t, n, out);
		return NULL;
	}
	if (toks[t].type != JSMN_ARRAY)
		return "system: Input should be a valid string or list";
	for (i = t + 1; i < n && toks[i].start < toks[t].end; i++) {
		if (toks[i].parent != t)
			continue;
		if (toks[i].type != JSMN_OBJECT ||
		    (type = obj_get(js, i, "type", n)) == -1 ||
		    !tok_is(js, type, "text") ||
		    (text = obj_get(js, i, "text", n)) == -1 ||
		    toks[text].type != JSMN_STRING)
			return "system.0: Input should be a text block";
		content_decode(js, text, n, out);
		if ((cc = obj_get(js, i, "cache_control", n)) != -1) {
			if (toks[cc].type != JSMN_OBJECT ||
			    (type = obj_get(js, cc, "type", n)) == -1 ||
			    !tok_is(js, type, "ephemeral"))
				return "system.0.cache_control: Input tag "
				    "does not match the expected tag 'ephemeral'";
			*cached = 1;
		}
	}
	return NULL;
}

/*
 * Read a Messages API body as Anthropic does: the model to sc_model, the
 * first user message's text (the row's) to sc_user, *reask set if an
 * assistant message follows it, the system prompt's to sys (and
 * *cached if it asks for the cache), the tool that tool_choice names to
 * tool (empty if none); *prompt counts the bytes of every
 * message and the system prompt.  Returns NULL, or the message of a 400
 * in Anthropic's words for what the real API refuses: a field it does
 * not know, no max_tokens, a "system" role among the messages.
 */
const char *
messages_parse(const char *js, size_t len, size_t *prompt, struct buf *sys,
    int *cached, struct buf *tool, int *reask)
{
	const char *const *f;
	const char *e;
	int n, i, k, m, mt, role, content, first, known, tc, name;

	sc_model.len = sc_user.len = sys->len = tool->len = 0;
	*prompt = 0;
	*cached = *reask = 0;
	n = json_tokenize(js, len);
	if (n < 1 || toks[0].type != JSMN_OBJECT)
		return "There was an issue with your request body: not valid "
		    "JSON";
	for (i = 1; i < n; i++) {
		if (toks[i].parent != 0)
			continue;
		for (known = 0, f = messages_fields; *f != NULL && !known; f++)
			known = tok_is(js, i, *f);
		if (!known) {
			sc_field.len = 0;
			buf_add(&sc_field, js + toks[i].start,
			    (size_t)(toks[i].end - toks[i].start));
			buf_adds(&sc_field, ": Extra inputs are not permitted");
			buf_addc(&sc_field, '\0');
			return sc_field.p;
		}
	}
	if ((i = obj_get(js, 0, "model", n)) == -1 ||
	    toks[i].type != JSMN_STRING)
		return "model: Field required";
	content_decode(js, i, n, &sc_model);
	if ((mt = obj_get(js, 0, "max_tokens", n)) == -1)
		return "max_tokens: Field required";
	if (toks[mt].type != JSMN_PRIMITIVE || js[toks[mt].start] < '1' ||
	    js[toks[mt].start] > '9')
		return "max_tokens: Input should be a valid integer, at least 1";
	for (k = toks[mt].start; k < toks[mt].end; k++)
		if (js[k] < '0' || js[k] > '9')
			return "max_tokens: Input should be a valid integer";
	if ((i = obj_get(js, 0, "system", n)) != -1 &&
	    (e = system_decode(js, i, n, sys, cached)) != NULL)
		return e;
	*prompt += sys->len;
	if ((m = obj_get(js, 0, "messages", n)) == -1)
		return "messages: Field required";
	if (toks[m].type != JSMN_ARRAY || toks[m].size == 0)
		return "messages: Input should be a non-empty list";
	first = -1;
	for (i = m + 1; i < n && toks[i].start < toks[m].end; i++) {
		if (toks[i].parent != m)
			continue;
		if (toks[i].type != JSMN_OBJECT ||
		    (role = obj_get(js, i, "role", n)) == -1 ||
		    (content = obj_get(js, i, "content", n)) == -1)
			return "messages: each message needs a role and "
			    "content";
		if (tok_is(js, role, "system"))
			return "messages: Unexpected role \"system\". The "
			    "Messages API accepts a top-level `system` "
			    "parameter, not \"system\" as an input message "
			    "role.";
		if (!tok_is(js, role, "user") &&
		    !tok_is(js, role, "assistant"))
			return "messages.role: Input should be 'user' or "
			    "'assistant'";
		*prompt += content_decode(js, content, n, NULL);
		/* The row's message is the first: a re-ask follows it with
		 * the model's answer and what was wrong with it. */
		if (tok_is(js, role, "user") && first == -1)
			first = content;
		if (tok_is(js, role, "assistant"))
			*reask = 1;
	}
	part_err = NULL;
	if (first != -1)
		content_decode(js, first, n, &sc_user);
	if (part_err != NULL)
		return part_err;
	/* A tool the model must call: its name. */
	if ((tc = obj_get(js, 0, "tool_choice", n)) != -1 &&
	    toks[tc].type == JSMN_OBJECT &&
	    (i = obj_get(js, tc, "type", n)) != -1 && tok_is(js, i, "tool") &&
	    (name = obj_get(js, tc, "name", n)) != -1 &&
	    toks[name].type == JSMN_STRING) {
		if (obj_get(js, 0, "tools", n) == -1)
			return "tool_choice: a tool named that is not in tools";
		content_decode(js, name, n, tool);
	}
	return NULL;
}

/* Is s[0..len) one JSON object?  (Reuses the request's tokens.) */
int
json_is_object(const char *s, size_t len)
{
	int n = json_tokenize(s, len);

	return n >= 1 && toks[0].type == JSMN_OBJECT &&
	    (size_t)toks[0].end == len;
}

void
messages_cleanup(void)
{
	buf_free(&sc_field);
}
