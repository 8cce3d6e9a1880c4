/*
 * Attach: the files a row names (-a FIELD), as parts of its user message.
 *
 * A row's FIELD holds a path (relative to the working directory), an
 * http(s) URL, a data: URL, or an array of these.  attach_load reads them
 * for the row about to be sent: each file is opened without following
 * into a FIFO or device (O_NONBLOCK, a regular file by fstat), read to at
 * most the limit and one byte more, and its kind told from its first
 * bytes, never its name: PNG, JPEG, GIF and WebP are images, PDF is a
 * document.  attach_view then gives each as a provider's body builder
 * lays it out, base64 encoded once; the builder copies it into the body,
 * and attach_clear lets the file's bytes go once the body is built, so
 * they are held only while their row is built.
 *
 * Each part keeps the SHA-256 of its bytes: in key mode attach_view
 * gives that instead of the bytes, so the key of what a row asks (the
 * cache's, dedup's) follows the files' contents, not their names.  The
 * image's width and height, read from its header, give the tokens the
 * provider will count (OpenAI's tiles, Anthropic's pixels/750); a PDF's
 * pages cannot be counted without reading it, and attach_tokens says so.
 *
 * A URL is not fetched: it goes as a URL, as an image, or as a document
 * when its path ends in .pdf (the only thing known of it without asking;
 * OpenAI's chat API takes no document by URL, so that is a row error).
 *
 * Library code: problems with a row's files come back as 1 with a message
 * naming the field, the path and the problem; -1 is out of memory.
 *
 * Not here: what bytes are what (media.h), base64 (base64.h), where the
 * parts go in a body (each provider's shape, after the prompt's text:
 * request.c hands them over), the cache key itself (cache.h), or what a
 * failed row looks like (record.h).
 */
#ifndef ENRICH_ATTACH_H
#define ENRICH_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "media.h"

#define ATTACH_MAX	(20LL * 1024 * 1024)	/* a file, by default */
#define ATTACH_HASH_LEN	32			/* SHA-256 */

enum attach_dialect {
	ATTACH_CHAT,		/* OpenAI chat completions, Azure */
	ATTACH_MESSAGES		/* Anthropic's Messages API */
};


struct attach_config {
	char *const		*fields;	/* -a FIELD, each a path */
	size_t			 nfields;
	long long		 max;		/* bytes a file, at most */
	enum attach_dialect	 dialect;	/* for what a URL may be */
};

struct attach;

/* NULL with err if a field is no path; the config is copied. */
struct attach	*attach_new(const struct attach_config *, char *, size_t);
void		 attach_free(struct attach *);
/*
 * Read the attachments of the row at token 0 of j, replacing the last
 * row's: 0; 1 with err if one cannot be sent (the row's problem); -1 if
 * out of memory.  A field that is null or an empty array names none.
 */
int		 attach_load(struct attach *, const struct json *, char *,
		    size_t);
/* How many parts the row has. */
size_t		 attach_count(const struct attach *);
void		 attach_key_mode(struct attach *, int);
/* The bytes of data and URLs attach_view has given since the row was
 * loaded: the body's that are no prompt text. */
size_t		 attach_written(const struct attach *);
/*
 * A part as a provider's body builder lays it out (request.c gives it as
 * provider.h's struct provider_part): the base64 made on first asking and
 * kept until attach_clear.  In key mode (attach_key_mode 1), data is the
 * bytes' SHA-256 in hex, media_type "sha256", and there is no file name,
 * so a row's key follows its files' bytes, not their names.  All valid
 * until attach_clear or the next load.
 */
struct attach_view {
	int		 document;	/* a PDF; else an image */
	const char	*media_type;	/* NULL for a URL */
	const char	*data;		/* base64, or NULL for a URL */
	size_t		 len;
	const char	*url;		/* or NULL */
	const char	*filename;	/* a document's, or NULL */
};

/* The row's kth part: 0, or -1 if out of memory. */
int		 attach_view(struct attach *, size_t, struct attach_view *);
/*
 * The prompt tokens the row's images cost in the dialect; *uncounted is
 * set to the number of parts that cannot be counted (PDFs, URLs).
 */
long long	 attach_tokens(const struct attach *, enum attach_dialect,
		    size_t *);
/* Let the row's bytes go (the body holds them now). */
void		 attach_clear(struct attach *);

#endif
