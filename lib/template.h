/*
 * Prompt templates: text with {{path}} placeholders filled from a row.
 *
 * A path is a top-level field (name), a nested one (a.b.c), an array
 * element (items.0), or the whole row (.).  \{{ stands for a literal {{.
 * With TMPL_ESCAPES, as for templates given on the command line, \n, \t and
 * \\ stand for newline, tab and backslash as well.
 *
 * A TMPL_BODY template is itself JSON, such as a whole request body: a
 * placeholder inside one of its strings inserts the field's text, escaped,
 * and one standing as a value inserts the field as a JSON value, so
 * {"input": {{text}}, "n": {{count}}} keeps a number a number.  It is
 * rendered in TMPL_VALUES mode, and checked at compile time.
 *
 * tmpl_compile runs once at start-up; rendering then only walks the row's
 * tokens and copies bytes.  A path that is missing from a row is an error
 * for that row, never an empty string; so is one whose value is null, an
 * empty string or one of white space only, unless TMPL_EMPTY: a prompt
 * built around nothing costs as much as any and answers nothing.
 *
 * Not here: what the rendered text is used for (see request.h).
 */
#ifndef ENRICH_TEMPLATE_H
#define ENRICH_TEMPLATE_H

#include <stddef.h>

#include "buf.h"
#include "json.h"

#define TMPL_ESCAPES	0x01
#define TMPL_BODY	0x02	/* the template is JSON text: see below */
#define TMPL_EMPTY	0x04	/* render null, empty and blank fields */

enum tmpl_mode {
	TMPL_TEXT,		/* decoded text, as a person would read it */
	TMPL_JSON,		/* the same text escaped for a JSON string */
	TMPL_VALUES		/* a TMPL_BODY template: JSON text */
};

struct tmpl;

/* The result is the caller's, to free with tmpl_free; src is copied. */
struct tmpl	*tmpl_compile(const char *, size_t, int, char *, size_t);
void		 tmpl_free(struct tmpl *);
/* Does the template use any field of the row? */
int		 tmpl_has_fields(const struct tmpl *);
/* Append the template filled from the value at token root. */
int		 tmpl_render(const struct tmpl *, const struct json *, int,
		    struct buf *, enum tmpl_mode, char *, size_t);
/* The token that a template of one placeholder names, or -1: a path. */
int		 tmpl_lookup(const struct tmpl *, const struct json *, int);

#endif
