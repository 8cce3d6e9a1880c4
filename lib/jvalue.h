/*
 * Jvalue: a parsed JSON text as a flat array of values, and what a
 * validator asks of them: deep equality, the length of a string, and a
 * value quoted short and safe for a message.
 *
 * jvalue_build copies json_parse's tokens into an array in which each
 * value knows the index after its subtree and its count of children, so
 * that walking an object's members or an array's elements is linear
 * (json_index is linear in the index, which makes a walk quadratic).
 * Children follow their parent: an array's first element is at i + 1, the
 * next at that one's next; an object's members are key, value pairs.
 *
 * Strings are read in place, as raw content that json_validate passed:
 * escapes are decoded as json_decode_string would (a lone surrogate is
 * U+FFFD) without copying.  Numbers compare by exact decimal value
 * (decimal.h), object members in any order.
 *
 * The quoting functions write what a terminal or a log could act on
 * escaped (control characters, DEL, C1 controls, line and paragraph
 * separators, bidi controls, BOM), so a value from a model's answer can be
 * put in a one-line message.
 *
 * Not here: parsing (json.h), schemas (schema.h), or looking a member up
 * by name.
 */
#ifndef ENRICH_JVALUE_H
#define ENRICH_JVALUE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "decimal.h"
#include "json.h"

#define JVALUE_MAX_DEPTH	64	/* containers in containers */
#define JVALUE_QUOTE_MAX	40	/* bytes of a value shown */

struct jvalue {
	enum json_type	 type;
	uint32_t	 next;		/* index after this subtree */
	uint32_t	 n;		/* elements, or members */
	size_t		 off;		/* span in the text, quotes included */
	size_t		 len;
};

struct jvalues {
	const char	*text;		/* borrowed: jvalue_build's */
	struct jvalue	*v;
	size_t		 n;
	size_t		 cap;
};

/*
 * Fill vs from the tokens of json_parse over text (the array is reused
 * and grows as needed; text is borrowed and must outlive vs's use).
 * 0 on success, 1 if containers nest deeper than JVALUE_MAX_DEPTH, -1
 * out of memory.
 */
int		 jvalue_build(struct jvalues *, const struct json *,
		    const char *);
/* Free the array; vs is left empty and reusable. */
void		 jvalue_free(struct jvalues *);

/* A string value's raw content, without the quotes, in vs's text. */
const char	*jvalue_string(const struct jvalues *, size_t, size_t *);
/* A string value's length in code points, an escape pair being one. */
size_t		 jvalue_length(const struct jvalues *, size_t);
/* A number value as an exact decimal, pointing into vs's text. */
void		 jvalue_decimal(const struct jvalues *, size_t,
		    struct decimal *);
/* Deep equality of value i of a and value k of b: 1 or 0. */
int		 jvalue_equal(const struct jvalues *, size_t,
		    const struct jvalues *, size_t);

/*
 * Append UTF-8 text with what a terminal could act on escaped (with
 * quotes set, '"' and '\\' too, as in JSON), using at most max bytes of
 * it; *cut is set if that was not all.  -1 out of memory.
 */
int		 jvalue_add_safe(struct buf *, const char *, size_t, size_t,
		    int, int *);
/* Append decoded text in quotes, safe, cut with "..." past the maximum. */
int		 jvalue_quote_text(struct buf *, const char *, size_t);
/*
 * Append value i short and safe: "text", 12, true, {"a":1,"b... tmp is
 * scratch space the caller keeps between calls.
 */
int		 jvalue_quote(struct buf *, struct buf *,
		    const struct jvalues *, size_t);

#endif
