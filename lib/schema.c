/*
 * The schema's life and what the public header asks of the whole tree:
 * schema_new takes the text through the parser, the compiler
 * (schema_compile.c) and the references (schema_ref.c) and frees what
 * only they needed; schema_free, schema_ignored and schema_wants_object.
 *
 * Not here: the keywords (schema_compile.c), what a $ref names
 * (schema_ref.c), checking an answer (schema_check.c).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_tree.h"

/* What only schema_new needs. */
static void
work_free(struct schema *S)
{
	schema_ref_free_defs(S);
	buf_free(&S->loc);
	buf_free(&S->names);
}

struct schema *
schema_new(const char *text, size_t len, char *err, size_t errlen)
{
	struct schema	*S;
	struct json	*j = NULL;
	int		 r;

	if ((S = calloc(1, sizeof(*S))) == NULL ||
	    (S->text = malloc(len + 1)) == NULL ||
	    (j = json_new()) == NULL || buf_addc(&S->loc, '#') == -1)
		goto nomem;
	if (len > 0)
		memcpy(S->text, text, len);
	S->text[len] = '\0';
	if (json_parse(j, S->text, len, err, errlen) == -1)
		goto fail;
	if ((r = jvalue_build(&S->sv, j, S->text)) == -1)
		goto nomem;
	if (r == 1) {
		snprintf(err, errlen, "the schema nests deeper than %d levels",
		    SCHEMA_MAX_DEPTH);
		goto fail;
	}
	json_free(j);
	j = NULL;
	if (S->sv.v[0].type != JSON_OBJECT) {
		snprintf(err, errlen, "the schema is not a JSON object");
		goto fail;
	}
	if (schema_compile(S, err, errlen) == -1)
		goto fail;
	if (schema_ref_resolve(S, err, errlen) == -1 ||
	    schema_ref_check_chains(S, err, errlen) == -1)
		goto fail;
	if (S->ignored.len > 0 && buf_addc(&S->ignored, '\0') == -1)
		goto nomem;
	work_free(S);
	return S;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	json_free(j);
	schema_free(S);
	return NULL;
}

void
schema_free(struct schema *S)
{
	struct snode	*n;
	size_t		 k, i;

	if (S == NULL)
		return;
	for (k = 0; k < S->nnodes; k++) {
		n = &S->nodes[k];
		for (i = 0; i < n->nnames; i++)
			free(n->names[i].name);
		free(n->names);
		free(n->req);
		free(n->anyof);
	}
	free(S->nodes);
	work_free(S);
	buf_free(&S->ignored);
	jvalue_free(&S->sv);
	free(S->text);
	schema_scratch_free(S);
	free(S);
}

const char *
schema_ignored(const struct schema *S)
{
	return S->ignored.len > 0 ? S->ignored.data : NULL;
}

static int
wants_object(const struct schema *S, int node)
{
	const struct snode	*n = &S->nodes[node];
	size_t			 k, x;

	if (n->boolean != -1)
		return n->boolean == 0;
	if (n->types != 0 && (n->types & ~T_OBJECT) == 0)
		return 1;
	if (n->constv != -1 && S->sv.v[n->constv].type == JSON_OBJECT)
		return 1;
	if (n->enumv != -1) {
		for (k = 0, x = n->enumv + 1; k < S->sv.v[n->enumv].n; k++,
		    x = S->sv.v[x].next)
			if (S->sv.v[x].type != JSON_OBJECT)
				break;
		if (k == S->sv.v[n->enumv].n)
			return 1;
	}
	if (n->ref != -1 && wants_object(S, n->ref))
		return 1;
	if (n->nanyof > 0) {
		for (k = 0; k < n->nanyof; k++)
			if (!wants_object(S, n->anyof[k]))
				return 0;
		return 1;
	}
	return 0;
}

int
schema_wants_object(const struct schema *S)
{
	return wants_object(S, 0);
}

