#!/bin/sh
# Several columns from one request, each answer checked against a JSON
# Schema (alert.schema.json): a strict response_format asks for it, and
# enrich checks every answer all the same, asking again when one does
# not fit.  Usage: ./structured.sh [rows.jsonl]
set -eu
dir=$(dirname "$0")
in=${1:-$dir/classify-alerts/alerts.jsonl}
enrich --schema "$dir/alert.schema.json" --json -P temperature=0 \
    -p 'Describe this security alert: the cloud service, the risk it poses and the first action to take.\n\n{{text}}' \
    <"$in" >described.jsonl
jq -r .risk described.jsonl | sort | uniq -c
