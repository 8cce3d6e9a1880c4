/*
 * Azure OpenAI: OpenAI's chat shape on a wire of its own.  The URL is
 * BASE/openai/deployments/MODEL/chat/completions?api-version=V (the
 * model names the deployment), the key goes in api-key (or -H gives an
 * Entra token), and the Batch API lives under BASE/openai/ with the
 * api-version, its lines naming /chat/completions.
 *
 * Not here: the chat body and its answers (prov_openai.h).
 */
#ifndef ENRICH_PROV_AZURE_H
#define ENRICH_PROV_AZURE_H

#include "provider.h"

extern const struct provider_wire	 azure_wire;
/* Its Batch API: lines naming /chat/completions, URLs under /openai. */
extern const struct provider_batch	 azure_batch;

#endif
