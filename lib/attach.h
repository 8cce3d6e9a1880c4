/*
 * Attach: the files a row names (-a FIELD), as parts of its user message.
 *
 * A row's FIELD holds a path (relative to the working directory), an
 * http(s) URL, a data: URL, or an array of these.  attach_load reads them
 * for the row about to be sent: each file is opened without following
 * into a FIFO or device (O_NONBLOCK, a regular file by fstat), read to at
 * most the limit and one byte more, and its kind told from its first
 * bytes, never its name: PNG, JPEG, GIF and WebP are images, PDF is a
 * document.  attach_parts then writes them into the body as the
 * provider's dialect has them, base64 encoded straight into the body, so
 * a file's bytes are held once as read and once encoded, and only while
 * its row is built; attach_clear lets them go.
 *
 * Each part keeps the SHA-256 of its bytes: in key mode attach_parts
 * writes that instead of the bytes, so the key of what a row asks (the
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
 * parts go in a body (the provider's body builder calls attach_parts
 * once, after the prompt's text part), the cache key itself (cache.h),
 * or what a failed row looks like (record.h).
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
/*
 * Append ",{part}" for each part, in the dialect's shape; in key mode
 * (attach_key_mode 1) each as {"sha256":...} instead, the same in every
 * dialect.  -1 if out of memory.
 */
int		 attach_parts(struct attach *, enum attach_dialect,
		    struct buf *);
void		 attach_key_mode(struct attach *, int);
/* The bytes the last attach_parts appended: the body's that are no
 * prompt text. */
size_t		 attach_written(const struct attach *);
/*
 * A part as a provider's body builder may lay it out itself (the
 * provider table's struct provider_part takes these members): the base64
 * made on first asking and kept until attach_clear, which a builder then
 * copies; attach_parts writes it straight into the body instead.  In key
 * mode, data is the bytes' SHA-256 in hex, media_type "sha256", and there
 * is no file name.  All valid until attach_clear or the next load.
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
