#!/bin/sh
# Classify security alerts by the cloud service they concern, keeping a
# checkpoint in done.jsonl so that a crash or ^C loses nothing: run it
# again and only the rows not yet done are sent.
#
#   export OPENAI_API_KEY=...          # or OPENAI_BASE_URL for a local server
#   ./classify.sh [alerts.jsonl]
set -eu
cd "$(dirname "$0")"
in=${1:-alerts.jsonl}
touch done.jsonl
enrich -j "${JOBS:-100}" -m "${MODEL:-gpt-4o-mini}" -o service \
    -P temperature=0 -P max_completion_tokens=10 \
    -f prompt.txt --skip-ids done.jsonl <"$in" | tee -a done.jsonl |
    jq -r 'select(.service) | .service' | sort | uniq -c | sort -rn
