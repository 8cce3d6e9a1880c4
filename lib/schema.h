/*
 * Schema: a JSON Schema validator for the answers asked for with --schema.
 *
 * schema_new reads a schema once into a tree of nodes; schema_check then
 * tells whether an answer's JSON text is valid, and if not, why, in one
 * line a model can act on: a JSON path, then what is wrong
 * ("$.tags: 5 items, at most 3 allowed").  Values from the answer are
 * quoted short (about 40 bytes) and defanged: no newline, no control
 * character, no bidi override reaches the line.
 *
 * Enforced: type (object, array, string, number, integer, boolean, null,
 * or a list of them; an integer is a number without a fractional part, so
 * 2.0 is one), properties, required, additionalProperties (false or a
 * schema), enum and const (deep equality: members in any order, numbers by
 * exact decimal value, strings after unescaping), items (one schema for
 * every element), minItems, maxItems, minimum, maximum, exclusiveMinimum
 * and exclusiveMaximum (as numbers), minLength and maxLength (in code
 * points), anyOf, and $ref to "#", "#/$defs/NAME" or "#/definitions/NAME".
 * $ref applies beside its sibling keywords, as in draft 2019-09 and later.
 * true and false are schemas wherever a schema goes, but not as the root.
 * Numbers compare exactly, as decimals, never through a double.
 *
 * Hostile input is bounded: schema and answer may each nest at most
 * SCHEMA_MAX_DEPTH levels; a chain of anyOf and $ref that stays on the
 * same value is at most SCHEMA_MAX_CHAIN long and never a loop (both are
 * refused by schema_new); a value is checked against a $ref target once,
 * however many anyOf branches lead there, so no schema makes the check
 * exponential.
 *
 * Not here: other keywords (reported by schema_ignored, never enforced),
 * $ref to other files or to any other place in the schema, formats,
 * patterns, reading files, or what is done with an invalid answer.
 */
#ifndef ENRICH_SCHEMA_H
#define ENRICH_SCHEMA_H

#include <stddef.h>

#define SCHEMA_MAX_DEPTH	64	/* nesting of schema and answer */
#define SCHEMA_MAX_CHAIN	32	/* anyOf and $ref steps on one value */

struct schema;

/*
 * Read a schema: JSON text whose root is an object.  The text is copied.
 * NULL with a one-line reason in err when it is not JSON, not an object,
 * nested too deep, a keyword enforced here has a value of the wrong type
 * ("required": 5, "minimum": "x", an unknown type name), or a $ref is not
 * one of the local forms above or names no definition; also when out of
 * memory ("out of memory").
 */
struct schema	*schema_new(const char *, size_t, char *, size_t);
void		 schema_free(struct schema *);
/*
 * The keywords met in the schema that are not enforced, as one line of
 * unique names in the order met ("format, pattern"; after 32 names,
 * ", ..."), or NULL if none.  Annotations are not counted: title,
 * description, $schema, $id, $comment, default, examples, deprecated,
 * readOnly, writeOnly, $defs and definitions.  The string lives as long
 * as the schema.
 */
const char	*schema_ignored(const struct schema *);
/*
 * 1 if every value the root accepts is an object, else 0.  Only what
 * schema_check enforces counts: "type": "object", a const or enum of
 * objects only, an anyOf whose every branch wants objects, or a $ref to a
 * schema that does.  "properties" or "required" without a type do not:
 * by JSON Schema they accept any value that is not an object, and
 * schema_check accepts them too, so a caller relying on an object must
 * not be told it gets one.
 */
int		 schema_wants_object(const struct schema *);
/*
 * Check a JSON text.  0 if valid; 1 if not, with why set to one line
 * ("$.severity: \"urgent\" is not one of \"low\", \"high\""; "the answer is
 * not JSON: ..." for text that is not JSON), cut to fit whylen; -1 out of
 * memory.  The schema keeps scratch memory between calls, so one schema
 * is not to be checked from two threads at once.
 */
int		 schema_check(struct schema *, const char *, size_t, char *,
		    size_t);

#endif
