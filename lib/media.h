/*
 * Media: what a file's bytes are, read from the bytes alone.
 *
 * The kind from the first bytes (PNG, JPEG, GIF and WebP are images, PDF
 * a document), never from a name; an image's width and height from its
 * header (PNG's IHDR, JPEG's first start-of-frame after any segments,
 * GIF's screen, WebP's VP8, VP8L or VP8X), reading nothing past the bytes
 * given; and the prompt tokens the providers count for an image of that
 * size, by their published rules.
 *
 * Everything here computes on what it is given and keeps nothing.  Not
 * here: reading files or rows (attach.h).
 */
#ifndef ENRICH_MEDIA_H
#define ENRICH_MEDIA_H

#include <stddef.h>
#include <stdint.h>

enum media_kind {
	MEDIA_UNKNOWN,
	MEDIA_PNG,
	MEDIA_JPEG,
	MEDIA_GIF,
	MEDIA_WEBP,
	MEDIA_PDF
};

enum media_kind	 media_sniff(const unsigned char *, size_t);
/* "image/png", ...; NULL for MEDIA_UNKNOWN. */
const char	*media_type(enum media_kind);
/* 0 with the width and height from the image's header, or -1. */
int		 media_size(const unsigned char *, size_t, enum media_kind,
		    uint32_t *, uint32_t *);
/* OpenAI's tokens for an image at high detail; Anthropic's. */
long long	 media_tokens_chat(uint32_t, uint32_t);
long long	 media_tokens_messages(uint32_t, uint32_t);

#endif
