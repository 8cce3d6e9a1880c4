/*
 * JSON: validation, tokens, lookups, and the string codecs.
 *
 * json_parse validates a whole text strictly (RFC 8259 grammar, UTF-8,
 * nesting depth) and tokenizes it in the same pass, the tokens jsmn would
 * make; nothing else in the tree sees a token's fields.  Tokens are named
 * by index, the root is 0, and stay valid until the next json_parse on
 * the same struct json.  The text is borrowed, not copied: it must
 * outlive the tokens.
 *
 * The codecs (json_escape, json_decode_string, json_compact) write into a
 * caller's buffer and know nothing of tokens, so output code can use them on
 * raw spans.
 *
 * Not here: anything about rows, IDs or HTTP.
 */
#ifndef ENRICH_JSON_H
#define ENRICH_JSON_H

#include <stddef.h>

#include "buf.h"

#define JSON_MAX_DEPTH	1000	/* deeper nesting is refused, not parsed */

enum json_type {
	JSON_NONE,		/* no such token: a lookup that failed */
	JSON_OBJECT,
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL
};

/* One member of an object, as byte offsets into the parsed text. */
struct json_member {
	size_t	 key;		/* first byte inside the key's quotes */
	size_t	 keylen;	/* raw (still escaped) key length */
	size_t	 val;		/* first byte of the value (its quote, if a string) */
	size_t	 valend;	/* one past the value's last byte */
};

struct json_members {
	struct json_member *v;
	size_t	 n;
	size_t	 cap;
};

struct json;

struct json	*json_new(void);
void		 json_free(struct json *);
/* Give back the tokens of a big text when they number more than keep:
 * the next json_parse starts small again.  Tokens read before are gone. */
void		 json_shrink(struct json *, size_t);

/* Validate and tokenize; 0 on success, -1 with a message in err. */
int		 json_parse(struct json *, const char *, size_t, char *, size_t);
/* Validate only. */
int		 json_validate(const char *, size_t, char *, size_t);
/* Are these bytes well-formed UTF-8? */
int		 json_utf8_valid(const char *, size_t);

/* The text of the last json_parse. */
const char	*json_text(const struct json *);
enum json_type	 json_type(const struct json *, int);
/* Raw span of a token, quotes included for strings. */
void		 json_span(const struct json *, int, size_t *, size_t *);
/* Raw bytes inside a string token's quotes. */
void		 json_string_raw(const struct json *, int, const char **,
		    size_t *);
/* Member value by decoded key (the last of duplicates wins), or -1. */
int		 json_get(const struct json *, int, const char *, size_t);
/* Array element by index, or -1. */
int		 json_index(const struct json *, int, size_t);
/* The elements of an array or members of an object; 0 for others. */
size_t		 json_len(const struct json *, int);
/*
 * The token after t and everything it holds: from an array's first
 * element (t + 1), its next element, json_len times in all.
 */
int		 json_next(const struct json *, int);
/* The top-level members of an object, in text order. */
int		 json_members(const struct json *, int, struct json_members *);
void		 json_members_free(struct json_members *);
/* The integer member key of obj, 0 to max; -1 if absent or not one. */
long long	 json_get_count(const struct json *, int, const char *,
		    long long);
/* Is token t a string whose raw text (escapes and all) is s? */
int		 json_is_string(const struct json *, int, const char *);
/* A number token written as an integer: -?(0|[1-9][0-9]*). */
int		 json_is_integer(const struct json *, int);

/* A member to set on an object: a name and a value that is JSON text. */
struct json_field {
	const char	*name;
	size_t		 namelen;
	const char	*value;
	size_t		 valuelen;
};

/*
 * Append the object obj, whose members are m, with each field set: a
 * member of that name has its value replaced where it stands (later
 * duplicates are dropped), and a field the object lacks is added at the
 * end.  Every other byte is copied as it was.
 */
int		 json_splice(struct buf *, const char *, size_t,
		    const struct json_members *, const struct json_field *,
		    size_t);

/* Does the raw (escaped) key equal the decoded name? */
int		 json_key_equal(const char *, size_t, const char *, size_t);

/* Append s as the inside of a JSON string; invalid UTF-8 becomes U+FFFD. */
int		 json_escape(struct buf *, const char *, size_t);
/* The same, with the quotes. */
int		 json_quote(struct buf *, const char *, size_t);
/* Append the decoded text of raw string content (no quotes). */
int		 json_decode_string(struct buf *, const char *, size_t);
/*
 * Object obj's string member key, decoded and shortened to fit out (a
 * message from a server, say); "" when absent, not a string, or out of
 * memory.
 */
void		 json_get_text(const struct json *, int, const char *, char *,
		    size_t);
/*
 * Append valid JSON text without insignificant white space; with escape
 * set, escaped as well for the inside of a JSON string.
 */
int		 json_compact(struct buf *, const char *, size_t, int);
/*
 * In valid JSON text, make each lone surrogate escape (\ud800 without its
 * pair) a \ufffd, in place: the text stays valid for parsers that refuse
 * them, such as jq 1.6.
 */
void		 json_fix_surrogates(char *, size_t);

#endif
