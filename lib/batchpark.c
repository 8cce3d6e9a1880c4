/*
 * Rows parked in the Batch file being filled.  See batchpark.h.
 *
 * File K's spool is dir/spool.K, its upload dir/upload.K.
 */
#include <sys/tree.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "batchfile.h"
#include "batchpark.h"
#include "fdio.h"
#include "json.h"
#include "provider.h"
#include "spool.h"
#include "transport.h"

/* A parked leader's key: a row asking the same follows it. */
struct key {
	RB_ENTRY(key)	 entry;
	unsigned char	 key[CACHE_KEY_LEN];
	int		 k;		/* its file; -1: the slot is free */
	uint64_t	 seq;
};

static int
key_cmp(const struct key *a, const struct key *b)
{
	return memcmp(a->key, b->key, CACHE_KEY_LEN);
}

RB_HEAD(keytree, key);
/* libbsd leaves __unused undefined, which RB_GENERATE_STATIC needs. */
RB_GENERATE_INTERNAL(keytree, key, entry, key_cmp,
    static __attribute__((unused)))

struct batchpark {
	struct batchpark_config	 cfg;
	const char		*dir;
	char			 path[PATH_MAX];	/* scratch */
	int			 fill;		/* the file being filled */
	int			 sfd, ufd;
	off_t			 slen, ulen;
	size_t			 frows;
	double			 freserved;
	/* Closed, not yet taken. */
	struct batchpark_file	*closed;
	size_t			 nclosed;
	/* Parked leaders by key, the oldest forgotten first. */
	struct keytree		 keys;
	struct key		*kv;
	size_t			 khead;
	struct buf		 body;		/* scratch: a request line */
	struct buf		 scratch;
};

/* dir/name.K */
static const char *
file_path(struct batchpark *p, const char *name, int k)
{
	snprintf(p->path, sizeof(p->path), "%s/%s.%d", p->dir, name, k);
	return p->path;
}

static int
keys_put(struct batchpark *p, const unsigned char *key, uint64_t seq, int k)
{
	struct key	*n, probe;

	if (p->kv == NULL) {
		if ((p->kv = calloc(BATCHPARK_KEYS, sizeof(*p->kv))) == NULL)
			return -1;
		for (n = p->kv; n < p->kv + BATCHPARK_KEYS; n++)
			n->k = -1;
	}
	memcpy(probe.key, key, CACHE_KEY_LEN);
	if ((n = RB_FIND(keytree, &p->keys, &probe)) == NULL) {
		n = &p->kv[p->khead];
		p->khead = (p->khead + 1) % BATCHPARK_KEYS;
		if (n->k != -1)
			RB_REMOVE(keytree, &p->keys, n);
		memcpy(n->key, key, CACHE_KEY_LEN);
		RB_INSERT(keytree, &p->keys, n);
	}
	n->k = k;
	n->seq = seq;
	return 0;
}

static struct key *
keys_find(struct batchpark *p, const struct row *r)
{
	struct key	 probe;

	if (!r->keyed || p->kv == NULL)
		return NULL;
	memcpy(probe.key, r->key, CACHE_KEY_LEN);
	return RB_FIND(keytree, &p->keys, &probe);
}

void
batchpark_forget(struct batchpark *p, int k)
{
	size_t	 i;

	for (i = 0; p->kv != NULL && i < BATCHPARK_KEYS; i++)
		if (p->kv[i].k == k) {
			RB_REMOVE(keytree, &p->keys, &p->kv[i]);
			p->kv[i].k = -1;
		}
}

/* The file being filled, open at what was committed of it. */
static int
open_fill(struct batchpark *p, char *err, size_t errlen)
{
	if (p->sfd != -1)
		return 0;
	if ((p->sfd = fdio_open(file_path(p, "spool", p->fill), O_WRONLY |
	    O_CREAT | O_APPEND, p->slen, err, errlen)) == -1 ||
	    (p->ufd = fdio_open(file_path(p, "upload", p->fill), O_WRONLY |
	    O_CREAT | O_APPEND, p->ulen, err, errlen)) == -1)
		return -1;
	return 0;
}

int
batchpark_sync(struct batchpark *p, char *err, size_t errlen)
{
	if (p->sfd == -1)
		return 0;
	if (fsync(p->sfd) == -1 || fsync(p->ufd) == -1) {
		snprintf(err, errlen, "fsync: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
batchpark_close(struct batchpark *p, char *err, size_t errlen)
{
	struct batchpark_file	*v;

	if (p->frows == 0)
		return 0;
	if (batchpark_sync(p, err, errlen) == -1)
		return -1;
	if ((v = reallocarray(p->closed, p->nclosed + 1, sizeof(*v))) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->closed = v;
	v = &p->closed[p->nclosed++];
	v->k = p->fill;
	v->rows = p->frows;
	v->reserved = p->freserved;
	close(p->sfd);
	close(p->ufd);
	p->sfd = p->ufd = -1;
	p->fill++;
	p->slen = p->ulen = 0;
	p->frows = 0;
	p->freserved = 0;
	return 0;
}

int
batchpark_closed(struct batchpark *p, struct batchpark_file *f)
{
	if (p->nclosed == 0)
		return 0;
	*f = p->closed[0];
	memmove(p->closed, p->closed + 1, --p->nclosed * sizeof(*f));
	return 1;
}

/* Append a record to the spool of file k, not the one being filled: a
 * follower of a row already uploaded, synced at once (they are few). */
static int
spool_other(struct batchpark *p, int k, const struct spool_row *sr,
    char *err, size_t errlen)
{
	int	 fd, rv;

	if ((fd = fdio_open(file_path(p, "spool", k), O_WRONLY | O_APPEND, -1,
	    err, errlen)) == -1)
		return -1;
	rv = spool_put(fd, sr, &p->scratch) == -1 || fsync(fd) == -1;
	if (rv)
		snprintf(err, errlen, "%s: %s", p->path, strerror(errno));
	close(fd);
	return rv ? -1 : 0;
}

/* A follower of the parked row lead. */
static int
follow(struct batchpark *p, const struct row *r, const struct key *lead,
    char *err, size_t errlen)
{
	struct spool_row	 sr;

	/* It holds nothing: the caller gives its money back. */
	spool_of_row(&sr, r, (int64_t)lead->seq, r->reasks > 0);
	sr.reserved = 0;
	if (lead->k != p->fill)
		return spool_other(p, lead->k, &sr, err, errlen) == -1 ? -1 :
		    TRANSPORT_FOLLOWS;
	if (open_fill(p, err, errlen) == -1)
		return -1;
	if (spool_put(p->sfd, &sr, &p->scratch) == -1) {
		snprintf(err, errlen, "%.150s: %s", file_path(p, "spool",
		    p->fill), strerror(errno));
		return -1;
	}
	p->slen += p->scratch.len;
	return TRANSPORT_FOLLOWS;
}

int
batchpark_row(struct batchpark *p, const struct row *r, int writing,
    char *err, size_t errlen)
{
	struct spool_row	 sr;
	struct key		*lead;
	char			 id[32];
	size_t			 before;
	int			 n;

	if ((lead = keys_find(p, r)) != NULL && lead->k != writing &&
	    lead->seq != r->seq)
		return follow(p, r, lead, err, errlen);
	/* Ours, not the row's ID (which may come twice): its place among
	 * the input's rows, from 1. */
	n = snprintf(id, sizeof(id), "%llu", (unsigned long long)r->seq + 1);
	buf_reset(&p->body);
	buf_reset(&p->scratch);
	if (json_compact(&p->scratch, r->body.data != NULL ? r->body.data :
	    "", r->body.len, 0) == -1 ||
	    p->cfg.batch->line(&p->body, id, n,
	    p->cfg.batch->endpoint, p->scratch.data,
	    p->scratch.len) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	buf_reset(&p->scratch);
	/* Too big for this file: it starts the next. */
	if (p->frows > 0 && p->ulen + (off_t)p->body.len > p->cfg.file_max &&
	    batchpark_close(p, err, errlen) == -1)
		return -1;
	if (open_fill(p, err, errlen) == -1)
		return -1;
	spool_of_row(&sr, r, -1, r->reasks > 0);
	if (spool_put(p->sfd, &sr, &p->scratch) == -1)
		goto fail;
	p->slen += p->scratch.len;
	before = p->body.len;
	if (fdio_write(p->ufd, p->body.data, p->body.len) == -1)
		goto fail;
	p->ulen += before;
	p->frows++;
	p->freserved += r->reserved;
	if (r->keyed && keys_put(p, r->key, r->seq, p->fill) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (p->frows >= (size_t)p->cfg.batch_size &&
	    batchpark_close(p, err, errlen) == -1)
		return -1;
	return TRANSPORT_PARKED;
fail:
	snprintf(err, errlen, "%.150s: %s", file_path(p, "spool", p->fill),
	    strerror(errno));
	return -1;
}

int
batchpark_recall(struct batchpark *p, int k, char *err, size_t errlen)
{
	struct spool_reader	 rd;
	struct spool_row	 sr;
	int			 fd, rv;

	if ((fd = fdio_open(file_path(p, "spool", k), O_RDONLY, -1, err,
	    errlen)) == -1)
		return -1;
	spool_reader_init(&rd, fd);
	while ((rv = spool_next(&rd, &sr)) == 1) {
		/* The money the file being filled holds is not in STATE. */
		if (k == p->fill)
			p->freserved += sr.reserved;
		if (sr.lead == -1 && sr.keyed &&
		    keys_put(p, sr.key, sr.seq, k) == -1) {
			errno = ENOMEM;
			rv = -1;
			break;
		}
	}
	spool_reader_free(&rd);
	close(fd);
	if (rv == -1) {
		snprintf(err, errlen, "%.150s: %s", file_path(p, "spool", k),
		    errno == EINVAL ? "not a spool" : strerror(errno));
		return -1;
	}
	return 0;
}

void
batchpark_mark(const struct batchpark *p, struct bstate_mark *m)
{
	m->fill = p->fill;
	m->spool = p->slen;
	m->upload = p->ulen;
	m->rows = p->frows;
}

size_t
batchpark_rows(const struct batchpark *p)
{
	return p->frows;
}

double
batchpark_reserved(const struct batchpark *p)
{
	return p->freserved;
}

struct batchpark *
batchpark_new(const struct batchpark_config *cfg, const char *dir,
    const struct bstate_mark *m, char *err, size_t errlen)
{
	struct batchpark	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->cfg = *cfg;
	p->dir = dir;
	p->sfd = p->ufd = -1;
	RB_INIT(&p->keys);
	p->fill = m->fill;
	p->slen = m->spool;
	p->ulen = m->upload;
	p->frows = m->rows;
	/* The rows parked before the kill lead again: a row asking what
	 * one of them asks follows it, not uploaded twice. */
	if ((p->frows > 0 || p->slen > 0) && (open_fill(p, err, errlen) ==
	    -1 || batchpark_recall(p, p->fill, err, errlen) == -1)) {
		batchpark_free(p);
		return NULL;
	}
	return p;
}

void
batchpark_free(struct batchpark *p)
{
	if (p == NULL)
		return;
	if (p->sfd != -1)
		close(p->sfd);
	if (p->ufd != -1)
		close(p->ufd);
	buf_free(&p->body);
	buf_free(&p->scratch);
	free(p->closed);
	free(p->kv);
	free(p);
}
