/*
 * schema_ref.c on trees built by hand: nodes with no keywords, whose $ref
 * strings are the elements of a JSON array (value k + 1 is element k),
 * definitions named directly, and anyOf and $ref steps set directly for
 * the chain walk.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"
#include "schema_tree.h"

static char	 err[256];

/* n bare nodes over text, a JSON array; NULL if it is not one. */
static struct schema *
tree_new(const char *text, size_t n)
{
	struct schema	*S;
	struct json	*j;
	size_t		 k;
	int		 r;

	if ((S = calloc(1, sizeof(*S))) == NULL ||
	    (S->text = strdup(text)) == NULL ||
	    (S->nodes = calloc(n, sizeof(*S->nodes))) == NULL ||
	    (j = json_new()) == NULL) {
		schema_free(S);
		return NULL;
	}
	r = json_parse(j, S->text, strlen(text), err, sizeof(err)) == -1 ?
	    -1 : jvalue_build(&S->sv, j, S->text);
	json_free(j);
	if (r != 0) {
		schema_free(S);
		return NULL;
	}
	S->nnodes = S->cap = n;
	for (k = 0; k < n; k++) {
		S->nodes[k].boolean = -1;
		S->nodes[k].addl = S->nodes[k].items = S->nodes[k].ref = -1;
		S->nodes[k].refval = S->nodes[k].reqv = -1;
		S->nodes[k].enumv = S->nodes[k].constv = -1;
	}
	return S;
}

/* schema_ref_resolve: "ok", or its reason. */
static const char *
resolved(struct schema *S)
{
	err[0] = '\0';
	return schema_ref_resolve(S, err, sizeof(err)) == 0 ? "ok" : err;
}

/* What the definitions name: node k + 1 is defs[k]. */
static const struct {
	const char	*name;
	int		 kind;
} defs[] = {
	{ "a", 0 }, { "b", 0 }, { "a", 1 },
	{ "a/b", 0 }, { "a~b", 0 }, { "~1", 0 }, { "a b", 0 }, { "%", 0 },
	{ "", 0 }
};
#define NDEFS	(sizeof(defs) / sizeof(defs[0]))

/* The target of node 0's $ref, the JSON string ref, against defs: a node,
 * or -2 with the reason in err. */
static int
target(const char *ref)
{
	struct schema	*S;
	char		 text[256];
	size_t		 k;
	int		 t;

	snprintf(text, sizeof(text), "[%s]", ref);
	if ((S = tree_new(text, NDEFS + 1)) == NULL)
		return -3;
	for (k = 0; k < NDEFS; k++)
		if (schema_ref_define(S, defs[k].name, strlen(defs[k].name),
		    k + 1, defs[k].kind) == -1) {
			schema_free(S);
			return -3;
		}
	S->nodes[0].refval = 1;
	t = strcmp(resolved(S), "ok") == 0 ? S->nodes[0].ref : -2;
	if (t >= 0)
		CHECK(S->nodes[t].memo == 1);
	schema_free(S);
	return t;
}

static void
test_resolve(void)
{
	CHECK(target("\"#\"") == 0);
	CHECK(target("\"#/$defs/a\"") == 1);
	CHECK(target("\"#/$defs/b\"") == 2);
	CHECK(target("\"#/definitions/a\"") == 3);
	/* The $ref's JSON escapes are decoded first. */
	CHECK(target("\"\\u0023\"") == 0);
	CHECK(target("\"#\\/$defs\\/b\"") == 2);
	/* Nodes without a $ref are let be, and a target not marked. */
	{
		struct schema	*S;

		if ((S = tree_new("[\"#/$defs/a\"]", 3)) != NULL &&
		    schema_ref_define(S, "a", 1, 2, 0) == 0) {
			S->nodes[0].refval = 1;
			CHECK(strcmp(resolved(S), "ok") == 0);
			CHECK(S->nodes[0].ref == 2 && S->nodes[1].ref == -1 &&
			    S->nodes[2].ref == -1);
			CHECK(S->nodes[2].memo == 1 && S->nodes[1].memo == 0 &&
			    S->nodes[0].memo == 0);
		} else
			CHECK(0);
		schema_free(S);
	}
}

static void
test_escapes(void)
{
	CHECK(target("\"#/$defs/a~1b\"") == 4);
	CHECK(target("\"#/$defs/a~0b\"") == 5);
	/* ~01 is "~1", not "/": each escape is read once. */
	CHECK(target("\"#/$defs/~01\"") == 6);
	CHECK(target("\"#/$defs/a%20b\"") == 7);
	/* %XX is decoded before the pointer's escapes, as in a URI. */
	CHECK(target("\"#/$defs/a%2Fb\"") == 4);
	CHECK(target("\"#/$defs/a%2fb\"") == 4);
	CHECK(target("\"#/$defs/a%7E1b\"") == 4);
	CHECK(target("\"#/$defs/%25\"") == 8);
	/* A % without two hex digits is itself. */
	CHECK(target("\"#/$defs/%\"") == 8);
	/* Bad escapes are not local references. */
	CHECK(target("\"#/$defs/a~2b\"") == -2);
	CHECK(strstr(err, "only local references") != NULL);
	CHECK(target("\"#/$defs/a~\"") == -2);
	CHECK(strstr(err, "only local references") != NULL);
	/* Nor is the empty name, though a definition may have it. */
	CHECK(target("\"#/$defs/\"") == -2);
	CHECK(strstr(err, "only local references") != NULL);
}

static void
test_refused(void)
{
	/* No such definition, or one of the other kind. */
	CHECK(target("\"#/$defs/c\"") == -2);
	CHECK(strcmp(err, "$ref \"#/$defs/c\" names no definition") == 0);
	CHECK(target("\"#/definitions/b\"") == -2);
	CHECK(strcmp(err, "$ref \"#/definitions/b\" names no definition") ==
	    0);
	CHECK(target("\"#/$defs/A\"") == -2);
	CHECK(strstr(err, "names no definition") != NULL);
	/* Another file, or another place than a definition. */
	CHECK(target("\"other.json#/$defs/a\"") == -2);
	CHECK(strcmp(err, "$ref \"other.json#/$defs/a\": only local "
	    "references (\"#\", \"#/$defs/NAME\", \"#/definitions/NAME\") "
	    "are supported") == 0);
	CHECK(target("\"other.json\"") == -2);
	CHECK(strstr(err, "only local references") != NULL);
	CHECK(target("\"https://example.com/s.json#\"") == -2);
	CHECK(strstr(err, "only local references") != NULL);
	CHECK(target("\"#/properties/a\"") == -2);
	CHECK(strstr(err, "only local references") != NULL);
	CHECK(target("\"#/$defs/a/b\"") == -2);
	CHECK(strstr(err, "only local references") != NULL);
	CHECK(target("\"\"") == -2);
	CHECK(strcmp(err, "$ref \"\": only local references (\"#\", "
	    "\"#/$defs/NAME\", \"#/definitions/NAME\") are supported") == 0);
	CHECK(target("\"#/\"") == -2);
	CHECK(strstr(err, "only local references") != NULL);
	/* The reference is quoted short and safe. */
	CHECK(target("\"x\\ny\\\"z\"") == -2);
	CHECK(strncmp(err, "$ref \"x\\ny\\\"z\": only local", 26) == 0);
	CHECK(strchr(err, '\n') == NULL);
	CHECK(target("\"#/$defs/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"") == -2);
	CHECK(strstr(err, "xxx...\" names no definition") != NULL);
}

static void
test_defs(void)
{
	struct schema	*S;

	if ((S = tree_new("[\"#/$defs/a\"]", 2)) == NULL) {
		CHECK(0);
		return;
	}
	/* The name is copied: the caller's buffer may change. */
	{
		char	 name[] = "a";

		CHECK(schema_ref_define(S, name, 1, 1, 0) == 0);
		name[0] = 'z';
	}
	CHECK(S->ndefs == 1);
	S->nodes[0].refval = 1;
	CHECK(strcmp(resolved(S), "ok") == 0 && S->nodes[0].ref == 1);
	/* Of two alike, the first wins. */
	CHECK(schema_ref_define(S, "a", 1, 0, 0) == 0);
	S->nodes[0].ref = -1;
	CHECK(strcmp(resolved(S), "ok") == 0 && S->nodes[0].ref == 1);
	schema_ref_free_defs(S);
	CHECK(S->ndefs == 0 && S->defs == NULL);
	schema_ref_free_defs(S);
	CHECK(strcmp(resolved(S), "$ref \"#/$defs/a\" names no definition") ==
	    0);
	schema_free(S);
}

/* schema_ref_check_chains: 0 or -1, after setting steps by hand. */
static int
chains(struct schema *S)
{
	err[0] = '\0';
	return schema_ref_check_chains(S, err, sizeof(err));
}

static int
set_anyof(struct schema *S, int node, int a, int b)
{
	struct snode	*n = &S->nodes[node];

	if ((n->anyof = calloc(2, sizeof(*n->anyof))) == NULL)
		return -1;
	n->anyof[0] = a;
	n->anyof[1] = b;
	n->nanyof = 2;
	return 0;
}

/* A line of n nodes, each a $ref to the next: 0 or -1. */
static int
line_of(size_t n)
{
	struct schema	*S;
	size_t		 k;
	int		 r;

	if ((S = tree_new("[]", n)) == NULL)
		return -3;
	for (k = 0; k + 1 < n; k++)
		S->nodes[k].ref = k + 1;
	r = chains(S);
	if (r == 0)
		CHECK(S->nodes[0].chain == (int)n - 1 &&
		    S->nodes[n - 1].chain == 0);
	schema_free(S);
	return r;
}

static void
test_chains(void)
{
	struct schema	*S;

	/* A $ref to itself, and a loop through another node. */
	if ((S = tree_new("[]", 1)) != NULL) {
		S->nodes[0].ref = 0;
		CHECK(chains(S) == -1);
		CHECK(strcmp(err, "$ref loop: a schema refers back to itself "
		    "without going into a property or an item") == 0);
	}
	schema_free(S);
	if ((S = tree_new("[]", 3)) != NULL) {
		S->nodes[0].ref = 1;
		S->nodes[1].ref = 2;
		S->nodes[2].ref = 0;
		CHECK(chains(S) == -1 && strstr(err, "$ref loop") != NULL);
	}
	schema_free(S);
	/* Through anyOf: 0 is anyOf [1, 2], 2 a $ref to 0. */
	if ((S = tree_new("[]", 3)) != NULL && set_anyof(S, 0, 1, 2) == 0) {
		S->nodes[2].ref = 0;
		CHECK(chains(S) == -1 && strstr(err, "$ref loop") != NULL);
	} else
		CHECK(0);
	schema_free(S);
	/* Two ways to one node is no loop. */
	if ((S = tree_new("[]", 4)) != NULL && set_anyof(S, 0, 1, 2) == 0) {
		S->nodes[1].ref = 3;
		S->nodes[2].ref = 3;
		S->nodes[0].ref = 3;
		CHECK(chains(S) == 0 && S->nodes[0].chain == 2);
	} else
		CHECK(0);
	schema_free(S);
	/* Going into a property or an item is a step off the value. */
	if ((S = tree_new("[]", 2)) != NULL) {
		S->nodes[0].items = 1;
		S->nodes[1].ref = 0;
		CHECK(chains(S) == 0 && S->nodes[1].chain == 1);
	}
	schema_free(S);
	/* SCHEMA_MAX_CHAIN steps are taken, one more refused. */
	CHECK(line_of(SCHEMA_MAX_CHAIN + 1) == 0);
	CHECK(line_of(SCHEMA_MAX_CHAIN + 2) == -1);
	CHECK(strcmp(err, "anyOf and $ref nest more than 32 deep on one "
	    "value") == 0);
	/* No steps at all. */
	CHECK(line_of(1) == 0);
}

int
main(void)
{
	test_resolve();
	test_escapes();
	test_refused();
	test_defs();
	test_chains();
	return check_done("test_schema_ref");
}
