/*
 * The compiled form of a schema, shared by the files of the schema
 * module: its life (schema.c: schema_new, schema_free, schema_ignored,
 * schema_wants_object), the compiler (schema_compile.c), the references
 * (schema_ref.c) and the checker (schema_check.c: schema_check).  It is
 * not for other modules: they see struct schema only through schema.h.
 *
 * A schema is a tree of nodes in one array, node 0 the root; a node names
 * its subschemas by index, and its enum and const by index into the
 * schema's own values (sv), which borrow from text.
 */
#ifndef ENRICH_SCHEMA_TREE_H
#define ENRICH_SCHEMA_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "decimal.h"
#include "json.h"
#include "jvalue.h"
#include "schema.h"

/* The answer's nesting is bounded by the value array's. */
_Static_assert(SCHEMA_MAX_DEPTH == JVALUE_MAX_DEPTH, "one depth");


enum {
	T_OBJECT = 1 << 0,
	T_ARRAY = 1 << 1,
	T_STRING = 1 << 2,
	T_NUMBER = 1 << 3,
	T_INTEGER = 1 << 4,
	T_BOOLEAN = 1 << 5,
	T_NULL = 1 << 6
};

/* Their names, in the order of the bits. */
extern const char *const schema_type_names[7];

/* A property name, from "properties" or "required" or both. */
struct sname {
	char		*name;
	size_t		 len;
	int		 node;		/* its schema, or -1 */
	unsigned int	 stamp;		/* last object check that met it */
};

enum { HAS_MIN = 1, HAS_MAX = 2, HAS_XMIN = 4, HAS_XMAX = 8,
    HAS_MINITEMS = 16, HAS_MAXITEMS = 32, HAS_MINLEN = 64, HAS_MAXLEN = 128 };
#define HAS_NUMBERS	(HAS_MIN | HAS_MAX | HAS_XMIN | HAS_XMAX)

struct snode {
	int		 boolean;	/* -1 an object; else false or true */
	unsigned int	 types;		/* 0: no "type" */
	struct sname	*names;		/* sorted by length, then bytes */
	size_t		 nnames;
	long		 reqv;		/* the "required" array, or -1 */
	size_t		*req;		/* its names' entries, in order */
	size_t		 nreq;
	int		 addl;		/* additionalProperties, or -1 */
	int		 items;		/* or -1 */
	int		*anyof;
	size_t		 nanyof;
	long		 refval;	/* the $ref string's value, or -1 */
	int		 ref;		/* its target, or -1 */
	long		 enumv;		/* values, or -1 */
	long		 constv;
	unsigned int	 has;
	struct decimal	 min, max, xmin, xmax;
	size_t		 minitems, maxitems, minlen, maxlen;
	int		 memo;		/* a $ref target */
	int		 color;		/* chain walk: 0 new, 1 open, 2 done */
	int		 chain;
};

struct seg {
	long		 key;		/* the key's value, or -1 */
	size_t		 idx;
};

struct schema {
	char		*text;		/* the schema, which sv borrows */
	struct jvalues	 sv;
	struct snode	*nodes;
	size_t		 nnodes;
	size_t		 cap;
	struct buf	 ignored;	/* schema_ignored's line */
	/* schema_new's, until it returns */
	struct sdef	*defs;		/* schema_ref.c's: $defs, definitions */
	size_t		 ndefs;
	struct buf	 loc;		/* where in the schema, for errors */
	struct buf	 names;		/* ignored names, NUL-separated */
	size_t		 nnames;	/* how many, up to IGNORED_MAX + 1 */
	/* schema_check's, kept between calls */
	struct json	*aj;
	struct jvalues	 av;
	uint64_t	*mtab;		/* memo of $ref targets' results */
	size_t		 mcap;
	size_t		 mn;
	unsigned int	 stamp;
	struct seg	 path[SCHEMA_MAX_DEPTH + 1];
	size_t		 depth;
	size_t		 whydepth;	/* depth of the value the why is on */
	size_t		 whypath;	/* bytes of the why before its words */
	struct buf	 msg;
	/* both's, for decoding and quoting */
	struct buf	 tmp;
	struct buf	 key;
};

/*
 * schema_compile.c, for schema_new: compile the root, S->sv's value 0 (an
 * object), into node 0 and those after it.  0, or -1 with a one-line
 * reason in err, saying where in the schema when it can.
 */
int		 schema_compile(struct schema *, char *, size_t);
/* The entry for a property name in a node's sorted names, or -1. */
long		 schema_name_find(const struct snode *, const char *, size_t);
/* Free schema_check's scratch memory; it is made again as needed. */
void		 schema_scratch_free(struct schema *);

/*
 * schema_ref.c.  The compiler names each definition of the root's that a
 * $ref can name: kind 0 for $defs, 1 for definitions; the name, decoded,
 * is copied.  0, or -1 out of memory.
 */
int		 schema_ref_define(struct schema *, const char *, size_t, int,
		    int);
/* schema_new forgets the definitions once every $ref is resolved. */
void		 schema_ref_free_defs(struct schema *);
/*
 * Point every node's $ref at its target ("#", "#/$defs/NAME",
 * "#/definitions/NAME", the name a JSON pointer token in a URI fragment:
 * ~0, ~1 and %XX escapes) and mark the target for the memo.  0, or -1
 * with a one-line reason in err: not a local reference, no such
 * definition, or out of memory.
 */
int		 schema_ref_resolve(struct schema *, char *, size_t);
/*
 * After schema_ref_resolve: 0, or -1 with a one-line reason in err if
 * anyOf and $ref steps on one value loop or chain more than
 * SCHEMA_MAX_CHAIN deep.
 */
int		 schema_ref_check_chains(struct schema *, char *, size_t);

#endif
