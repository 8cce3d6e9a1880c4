/*
 * --body: any JSON API by a template.  The template, rendered for the
 * row, is the whole body; it asks for whatever it asks, so --labels,
 * --schema and --confidence are refused (request.c says so) and nothing
 * is asked again.  An answer is a chat completion's, or the value at
 * --extract (answer.c).  A shape only: it goes out on the wire of the
 * provider named, OpenAI's or Azure's.
 */
#include "prov_openai.h"
#include "provider.h"

/* Nothing is fixed: the template is all. */
static const char	 nothing;

static void *
body_new(const struct provider_ask *a, char *err, size_t errlen)
{
	(void)a;
	(void)err;
	(void)errlen;
	return (void *)&nothing;
}

static void
body_free(void *v)
{
	(void)v;
}

static int
body_body(const void *v, const struct provider_prompt *p, struct buf *b)
{
	(void)v;
	return buf_add(b, p->user, p->user_len);
}

/* Only a conversation can be asked again. */
static int
body_reask(struct json *j, struct buf *body, const char *answer, size_t len,
    const char *why)
{
	(void)j;
	(void)body;
	(void)answer;
	(void)len;
	(void)why;
	return 1;
}

const struct provider_shape provider_body_shape = {
	.whole = 1,
	.shape_new = body_new,
	.shape_free = body_free,
	.body = body_body,
	.reask = body_reask,
	.usage = openai_usage,
	.answer = openai_answer,
};
