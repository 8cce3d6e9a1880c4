#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bapi.h"
#include "check.h"

static void
test_build(void)
{
	struct buf	 b = { 0 };

	CHECK(bapi_create_body(&b, "file-1", "/v1/chat/completions") == 0);
	CHECK_BUF(b, "{\"input_file_id\":\"file-1\",\"endpoint\":"
	    "\"/v1/chat/completions\",\"completion_window\":\"24h\"}");
	buf_free(&b);
}

static void
test_ids(void)
{
	CHECK(bapi_id_ok("batch_abc-123"));
	CHECK(bapi_id_ok("file-XYZ"));
	CHECK(!bapi_id_ok(""));
	CHECK(!bapi_id_ok("../files"));
	CHECK(!bapi_id_ok("a/b"));
	CHECK(!bapi_id_ok("a?b"));
	CHECK(!bapi_id_ok("a b"));
}

#define S(s)	s, strlen(s)

static void
test_objects(void)
{
	struct json		*j = json_new();
	struct bapi_batch	 b;
	char			 id[BAPI_ID_MAX], e[256];

	CHECK(bapi_parse_file(j, S("{\"id\":\"file-1\",\"object\":\"file\"}"),
	    id, e, sizeof(e)) == 0);
	CHECK(strcmp(id, "file-1") == 0);
	CHECK(bapi_parse_file(j, S("{\"id\":\"../etc\"}"), id, e,
	    sizeof(e)) == -1);
	CHECK(bapi_parse_file(j, S("{\"id\":7}"), id, e, sizeof(e)) == -1);
	CHECK(bapi_parse_file(j, S("[]"), id, e, sizeof(e)) == -1);
	CHECK(bapi_parse_file(j, S("{\"id\""), id, e, sizeof(e)) == -1);

	CHECK(bapi_parse_batch(j, S("{\"id\":\"batch_1\",\"status\":"
	    "\"in_progress\",\"input_file_id\":\"file-1\",\"output_file_id\":"
	    "null,\"errors\":null,\"request_counts\":{\"total\":50,"
	    "\"completed\":20,\"failed\":1}}"), &b, e, sizeof(e)) == 0);
	CHECK(strcmp(b.id, "batch_1") == 0);
	CHECK(strcmp(b.input_file_id, "file-1") == 0);
	CHECK(b.output_file_id[0] == '\0');
	CHECK(b.status == BAPI_IN_PROGRESS);
	CHECK(!bapi_status_final(b.status));
	CHECK(b.total == 50 && b.completed == 20 && b.failed == 1);
	CHECK(bapi_parse_batch(j, S("{\"id\":\"batch_2\",\"status\":"
	    "\"failed\",\"errors\":{\"data\":[{\"code\":\"x\",\"message\":"
	    "\"bad \\u0041\"}]}}"), &b, e, sizeof(e)) == 0);
	CHECK(b.status == BAPI_FAILED && bapi_status_final(b.status));
	CHECK(strcmp(b.why, "bad A") == 0);
	CHECK(b.total == -1);
	CHECK(bapi_parse_batch(j, S("{\"id\":\"batch_3\",\"status\":"
	    "\"someday\"}"), &b, e, sizeof(e)) == 0);
	CHECK(b.status == BAPI_UNKNOWN && !bapi_status_final(b.status));
	CHECK(strcmp(bapi_status_name(BAPI_EXPIRED), "expired") == 0);
	/* An output file ID that would leave the path: refused. */
	CHECK(bapi_parse_batch(j, S("{\"id\":\"batch_1\",\"status\":"
	    "\"completed\",\"output_file_id\":\"x/../y\"}"), &b, e,
	    sizeof(e)) == -1);
	CHECK(bapi_parse_batch(j, S("{\"status\":\"completed\"}"), &b, e,
	    sizeof(e)) == -1);
	CHECK(bapi_parse_batch(j, S("{\"id\":\"b\"}"), &b, e,
	    sizeof(e)) == -1);

	CHECK(bapi_find_batch(j, S("{\"data\":[{\"id\":\"batch_1\",\"status\":"
	    "\"completed\",\"input_file_id\":\"file-1\"},{\"id\":\"batch_2\","
	    "\"status\":\"validating\",\"input_file_id\":\"file-2\"}]}"),
	    "file-2", &b, e, sizeof(e)) == 1);
	CHECK(strcmp(b.id, "batch_2") == 0);
	CHECK(bapi_find_batch(j, S("{\"data\":[{\"bad\":1}]}"), "file-2", &b,
	    e, sizeof(e)) == 0);
	CHECK(bapi_find_batch(j, S("{\"data\":{}}"), "file-2", &b, e,
	    sizeof(e)) == -1);
	json_free(j);
}

int
main(void)
{
	test_build();
	test_ids();
	test_objects();
	return check_done("test_bapi");
}
