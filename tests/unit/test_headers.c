/*
 * The response headers kept: a named header fills its slot, whatever its
 * case, with its value trimmed; others, and lines that only start like a
 * name, fill nothing; a long value is cut to the slot.
 */
#include <string.h>

#include "check.h"
#include "headers.h"

static const char *const keep[XH_MAX] = {
	[XH_RETRY_AFTER] = "retry-after",
	[XH_REQUEST_ID] = "x-request-id",
	[XH_RL_LIMIT_REQUESTS] = "x-ratelimit-limit-requests",
	[XH_RL_REMAINING_REQUESTS] = "x-ratelimit-remaining-requests",
};

static int
take(const struct headers *h, const char *line, char slot[][XFER_HEADER_LEN])
{
	return headers_take(h, line, strlen(line), slot);
}

int
main(void)
{
	struct headers	 h, none;
	char		 slot[XH_MAX][XFER_HEADER_LEN], line[400];
	int		 k;

	headers_init(&h, keep);
	memset(slot, 0, sizeof(slot));
	CHECK(take(&h, "x-ratelimit-limit-requests: 7\r\n", slot) ==
	    XH_RL_LIMIT_REQUESTS);
	CHECK(strcmp(slot[XH_RL_LIMIT_REQUESTS], "7") == 0);
	CHECK(take(&h, "X-Request-ID:\t r0 \t\r\n", slot) == XH_REQUEST_ID);
	CHECK(strcmp(slot[XH_REQUEST_ID], "r0") == 0);
	CHECK(take(&h, "Retry-After: 2\n", slot) == XH_RETRY_AFTER);
	CHECK(strcmp(slot[XH_RETRY_AFTER], "2") == 0);
	/* An empty value empties the slot. */
	CHECK(take(&h, "retry-after:\r\n", slot) == XH_RETRY_AFTER);
	CHECK(slot[XH_RETRY_AFTER][0] == '\0');

	/* Not kept, or only a prefix of a kept name, or no colon. */
	CHECK(take(&h, "content-type: application/json\r\n", slot) == -1);
	CHECK(take(&h, "x-ratelimit-limit-tokens: 9\r\n", slot) == -1);
	CHECK(take(&h, "x-request-idx: 1\r\n", slot) == -1);
	CHECK(take(&h, "x-request-id\r\n", slot) == -1);
	CHECK(take(&h, "\r\n", slot) == -1);
	CHECK(take(&h, "HTTP/1.1 200 OK\r\n", slot) == -1);
	CHECK(slot[XH_RL_REMAINING_REQUESTS][0] == '\0');
	CHECK(slot[XH_RL_LIMIT_TOKENS][0] == '\0');
	/* The line need not end in a NUL: only len bytes are read. */
	CHECK(headers_take(&h, "retry-after: 30 and more", 15, slot) ==
	    XH_RETRY_AFTER);
	CHECK(strcmp(slot[XH_RETRY_AFTER], "30") == 0);

	/* A value past the slot is cut to it. */
	strlcpy(line, "x-request-id: ", sizeof(line));
	for (k = strlen(line); k < 300; k++)
		line[k] = 'a';
	line[k] = '\0';
	CHECK(take(&h, line, slot) == XH_REQUEST_ID);
	CHECK(strlen(slot[XH_REQUEST_ID]) == XFER_HEADER_LEN - 1);

	/* No names: nothing is kept. */
	headers_init(&none, NULL);
	CHECK(take(&none, "retry-after: 2\r\n", slot) == -1);

	return check_done("test_headers");
}
