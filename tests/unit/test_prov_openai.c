#include <stdlib.h>
#include <string.h>

#include "batchfile.h"
#include "check.h"
#include "pool.h"
#include "prov_azure.h"
#include "prov_openai.h"

/* A body of the chat shape for this ask, with these messages. */
static void
body_of(const struct provider_ask *ask, const struct provider_prompt *p,
    struct buf *b)
{
	char	 err[256];
	void	*c;

	buf_reset(b);
	c = openai_chat_shape.shape_new(ask, err, sizeof(err));
	CHECK(c != NULL);
	CHECK(openai_chat_shape.body(c, p, b) == 0);
	CHECK(json_validate(b->data, b->len, err, sizeof(err)) == 0);
	openai_chat_shape.shape_free(c);
}

static void
test_shape(void)
{
	struct provider_ask	 ask = { "m\"1", ",\"temperature\":0", 16, 1, 0,
				    NULL, NULL, 0 };
	struct provider_prompt	 p = { "S", 1, "U", 1, NULL, 0 };
	struct provider_part	 parts[3] = {
		{ PROVIDER_IMAGE, "image/png", "iVBO", 4, NULL, NULL },
		{ PROVIDER_IMAGE, NULL, NULL, 0, "https://x/a.png", NULL },
		{ PROVIDER_DOCUMENT, "application/pdf", "JVBE", 4, NULL,
		    "a.pdf" }
	};
	struct buf		 b = { 0 };

	body_of(&ask, &p, &b);
	CHECK_BUF(b, "{\"model\":\"m\\\"1\",\"messages\":[{\"role\":\"system\","
	    "\"content\":\"S\"},{\"role\":\"user\",\"content\":\"U\"}],"
	    "\"temperature\":0}");
	/* What --labels, --schema and --confidence ask, after -P. */
	ask.instruction = "One of: A, B.";
	ask.format = "{\"type\": \"json_object\"}";
	ask.logprobs = 1;
	body_of(&ask, &p, &b);
	CHECK_BUF(b, "{\"model\":\"m\\\"1\",\"messages\":[{\"role\":\"system\","
	    "\"content\":\"S\\n\\nOne of: A, B.\"},{\"role\":\"user\","
	    "\"content\":\"U\"}],\"temperature\":0,\"response_format\":"
	    "{\"type\":\"json_object\"},\"logprobs\":true}");
	/* No system prompt: the instruction is one. */
	ask = (struct provider_ask){ "m", "", 0, 0, 0, "Say A.", NULL, 0 };
	p.system = NULL;
	p.system_len = 0;
	body_of(&ask, &p, &b);
	CHECK_BUF(b, "{\"model\":\"m\",\"messages\":[{\"role\":\"system\","
	    "\"content\":\"Say A.\"},{\"role\":\"user\",\"content\":\"U\"}]}");
	/* Attachments: the content a list of parts, the text first. */
	ask.instruction = NULL;
	p.parts = parts;
	p.nparts = 3;
	body_of(&ask, &p, &b);
	CHECK_BUF(b, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
	    "\"content\":[{\"type\":\"text\",\"text\":\"U\"},{\"type\":"
	    "\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
	    "iVBO\"}},{\"type\":\"image_url\",\"image_url\":{\"url\":"
	    "\"https://x/a.png\"}},{\"type\":\"file\",\"file\":{\"filename\":"
	    "\"a.pdf\",\"file_data\":\"data:application/pdf;base64,JVBE\"}}"
	    "]}]}");
	buf_free(&b);
}

static void
test_wires(void)
{
	struct buf	 b = { 0 };

	CHECK(strcmp(openai_wire.key_header, "Authorization: Bearer ") == 0);
	CHECK(!openai_wire.key_always && openai_wire.overloaded == NULL);
	CHECK(strcmp(openai_wire.keep[XH_RL_RESET_TOKENS],
	    "x-ratelimit-reset-tokens") == 0);
	CHECK(strcmp(azure_wire.key_header, "api-key: ") == 0);
	CHECK(azure_wire.key_always && azure_wire.keep == openai_wire.keep);
	/* The Batch dialects: the same lines, other paths. */
	CHECK(strcmp(openai_batch.endpoint, "/v1/chat/completions") == 0);
	CHECK(strcmp(openai_batch.purpose, "batch") == 0);
	CHECK(strcmp(azure_batch.endpoint, "/chat/completions") == 0);
	CHECK(openai_batch.url(&b, "https://api.openai.com/v1", "v",
	    "/files") == 0);
	CHECK(strcmp(b.data, "https://api.openai.com/v1/files") == 0);
	buf_reset(&b);
	CHECK(azure_batch.url(&b, "https://r.openai.azure.com", "2024-10-21",
	    "/batches") == 0);
	CHECK(strcmp(b.data, "https://r.openai.azure.com/openai/batches"
	    "?api-version=2024-10-21") == 0);
	buf_reset(&b);
	CHECK(openai_batch.line(&b, "7", 1, openai_batch.endpoint, "{}", 2) ==
	    0);
	CHECK_BUF(b, "{\"custom_id\":\"7\",\"method\":\"POST\",\"url\":"
	    "\"/v1/chat/completions\",\"body\":{}}\n");
	buf_free(&b);
}

int
main(void)
{
	test_shape();
	test_wires();
	return check_done("test_prov_openai");
}
