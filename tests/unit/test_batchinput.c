/*
 * Where the input stands for STATE: lines counted and hashed as they are
 * accounted for, blank ones too; a resume skips the lines its checkpoint
 * names and checks them when the last is read; another input, or a
 * shorter one, is refused; a checkpoint made before the skipped lines
 * are all read again names what the last one named.
 */
#include <stdio.h>
#include <string.h>

#include "batchinput.h"
#include "check.h"

static const char *const lines[] = { "{\"a\":1}", "", "{\"a\":2}",
    "{\"a\":3}" };

static int
feed(struct batchinput *in, int from, int to, const char *other)
{
	char	 e[256];
	int	 k, rv, skipped = 0;

	for (k = from; k < to; k++) {
		rv = batchinput_line(in, other != NULL && k == to - 1 ? other :
		    lines[k], strlen(other != NULL && k == to - 1 ? other :
		    lines[k]), lines[k][0] == '\0', e, sizeof(e));
		if (rv == -1)
			return -1;
		skipped += rv;
		batchinput_accounted(in);
	}
	return skipped;
}

int
main(void)
{
	struct batchinput	 in, again;
	struct bstate_mark	 m = { 0 }, m2 = { 0 }, m3 = { 0 };
	char			 e[256];

	batchinput_init(&in, &m);
	CHECK(feed(&in, 0, 3, NULL) == 0);
	/* Read but not yet dealt with: not counted. */
	CHECK(batchinput_line(&in, lines[3], strlen(lines[3]), 0, e,
	    sizeof(e)) == 0);
	batchinput_mark(&in, &m);
	CHECK(m.read == 3 && m.seq == 2 && strlen(m.hash) == BSTATE_HASH_HEX);
	CHECK(batchinput_accounted(&in) == 1 && batchinput_accounted(&in) ==
	    0);
	CHECK(batchinput_end(&in, e, sizeof(e)) == 0);

	/* The same input: three lines skipped, the fourth not. */
	batchinput_init(&again, &m);
	CHECK(feed(&again, 0, 2, NULL) == 2);
	/* Mid-way: the checkpoint stays the last one's. */
	batchinput_mark(&again, &m2);
	CHECK(m2.read == 3 && m2.seq == 2 && strcmp(m2.hash, m.hash) == 0);
	CHECK(feed(&again, 2, 3, NULL) == 1);
	CHECK(feed(&again, 3, 4, NULL) == 0);
	batchinput_mark(&again, &m3);
	batchinput_mark(&in, &m2);
	CHECK(m3.read == 4 && m3.seq == 3 && strcmp(m3.hash, m2.hash) == 0);

	/* Another third line: refused, naming how many. */
	batchinput_init(&again, &m);
	CHECK(feed(&again, 0, 3, "{\"a\":9}") == -1);
	batchinput_init(&again, &m);
	CHECK(batchinput_line(&again, "{}", 2, 0, e, sizeof(e)) == 1);
	CHECK(batchinput_line(&again, "", 0, 1, e, sizeof(e)) == 1);
	CHECK(batchinput_line(&again, "{}", 2, 0, e, sizeof(e)) == -1);
	CHECK(strstr(e, "first 3 lines are not those") != NULL);
	/* A shorter one. */
	batchinput_init(&again, &m);
	CHECK(feed(&again, 0, 2, NULL) == 2);
	CHECK(batchinput_end(&again, e, sizeof(e)) == -1);
	CHECK(strstr(e, "has 2 lines, fewer than the 3") != NULL);
	return check_done("test_batchinput");
}
