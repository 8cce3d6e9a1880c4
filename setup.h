/*
 * Setup: the request and the resume set, from the config.
 */
#ifndef ENRICH_SETUP_H
#define ENRICH_SETUP_H

#include "cli.h"
#include "lib/idset.h"
#include "lib/request.h"
#include "lib/template.h"

/* The request, and the templates it borrows (the caller frees all). */
struct request	*setup_request(const struct config *, struct tmpl **,
		    struct tmpl **);
/* The IDs done by earlier runs, or NULL without --skip-ids. */
struct idset	*setup_skip(const struct config *);

#endif
