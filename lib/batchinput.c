/*
 * Where the input stands, as a STATE sees it.  See batchinput.h.
 */
#include <sha2.h>
#include <stdio.h>
#include <string.h>

#include "batchinput.h"

void
batchinput_init(struct batchinput *in, const struct bstate_mark *m)
{
	memset(in, 0, sizeof(*in));
	SHA256Init(&in->h);
	in->acc = in->h;
	in->skip_read = m->read;
	in->skip_seq = m->seq;
	strlcpy(in->skip_hash, m->hash, sizeof(in->skip_hash));
}

int
batchinput_line(struct batchinput *in, const char *text, size_t len,
    int blank, char *err, size_t errlen)
{
	SHA2_CTX	 ctx;
	unsigned char	 d[SHA256_DIGEST_LENGTH];
	char		 hex[BSTATE_HASH_HEX + 1];

	SHA256Update(&in->h, (const unsigned char *)text, len);
	SHA256Update(&in->h, (const unsigned char *)"\n", 1);
	in->nread++;
	if (!blank)
		in->nseq++;
	if (in->nread > in->skip_read)
		return 0;
	if (in->nread == in->skip_read) {
		ctx = in->h;
		SHA256Final(d, &ctx);
		bstate_hex(d, sizeof(d), hex);
		if (strcmp(hex, in->skip_hash) != 0) {
			snprintf(err, errlen, "the input's first %llu lines "
			    "are not those it was made with: run with that "
			    "input (more lines after them are sent), or "
			    "start again with a new STATE",
			    (unsigned long long)in->skip_read);
			return -1;
		}
		in->acc = in->h;
		in->acc_read = in->nread;
		in->acc_seq = in->nseq;
	}
	return 1;
}

int
batchinput_accounted(struct batchinput *in)
{
	if (in->nread < in->skip_read || in->acc_read == in->nread)
		return 0;
	in->acc = in->h;
	in->acc_read = in->nread;
	in->acc_seq = in->nseq;
	return 1;
}

int
batchinput_end(const struct batchinput *in, char *err, size_t errlen)
{
	if (in->nread < in->skip_read) {
		snprintf(err, errlen, "the input has %llu lines, fewer than "
		    "the %llu it was made with: run with that input, or "
		    "start again with a new STATE",
		    (unsigned long long)in->nread,
		    (unsigned long long)in->skip_read);
		return -1;
	}
	return 0;
}

void
batchinput_mark(const struct batchinput *in, struct bstate_mark *m)
{
	SHA2_CTX	 ctx;
	unsigned char	 d[SHA256_DIGEST_LENGTH];

	/* Lines a resume skips and has not checked yet stay as they were. */
	if (in->acc_read < in->skip_read) {
		m->read = in->skip_read;
		m->seq = in->skip_seq;
		strlcpy(m->hash, in->skip_hash, sizeof(m->hash));
		return;
	}
	m->read = in->acc_read;
	m->seq = in->acc_seq;
	ctx = in->acc;
	SHA256Final(d, &ctx);
	bstate_hex(d, sizeof(d), m->hash);
}
