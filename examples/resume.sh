#!/bin/sh
# Resume: keep what is done in done.jsonl as it comes; run the same command
# again after a crash or ^C and only the rows not yet done (or failed) are
# sent.  Usage: ./resume.sh [rows.jsonl]   (rows need an "id" or keep their
# line numbers: do not reorder the input between runs)
set -eu
in=${1:-$(dirname "$0")/classify-alerts/alerts.jsonl}
touch done.jsonl
enrich --skip-ids done.jsonl -p 'Summarise in five words: {{text}}' <"$in" |
    tee -a done.jsonl >/dev/null
echo "$(jq -r 'select(.error == null) | .id' done.jsonl | sort -u | wc -l) rows done"
