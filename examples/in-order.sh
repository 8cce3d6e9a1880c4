#!/bin/sh
# Rows come out as they complete.  Two ways to get input order back:
# --ordered (a bounded reorder buffer inside enrich), or sort afterwards on
# integer IDs.  Usage: ./in-order.sh [rows.jsonl]
set -eu
in=${1:-$(dirname "$0")/classify-alerts/alerts.jsonl}
jq -c '.n = input_line_number' <"$in" >numbered.jsonl
enrich --ordered -i n -p '{{text}}' <numbered.jsonl >ordered.jsonl
enrich -i n -p '{{text}}' <numbered.jsonl |
    jq -r '"\(.n)\t\(tojson)"' | sort -n -k1,1 | cut -f2- >sorted.jsonl
jq -r .n ordered.jsonl | tr '\n' ' '
echo
