/*
 * Base64 (RFC 4648, the standard alphabet), for files sent in request
 * bodies: encoded straight into the buffer the body is built in.
 *
 * Not here: data: URLs (attach.h).
 */
#ifndef ENRICH_BASE64_H
#define ENRICH_BASE64_H

#include <stddef.h>

#include "buf.h"

/* Append the bytes as base64, padded; -1 if out of memory. */
int	 base64_encode(struct buf *, const unsigned char *, size_t);
/* Append the bytes of base64 text (padding optional, no white space):
 * 0, or -1 on a bad character or length, or out of memory. */
int	 base64_decode(struct buf *, const char *, size_t);

#endif
