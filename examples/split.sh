#!/bin/sh
# Split a job into four parts and run them at once (or one after another:
# drop the &).  Line numbers start again in each part, so give the rows IDs
# first.  Usage: ./split.sh [rows.jsonl]
set -eu
in=${1:-$(dirname "$0")/classify-alerts/alerts.jsonl}
jq -c '.n = input_line_number' <"$in" >withids.jsonl
split -n l/4 -d withids.jsonl part.
pids=""
for p in part.0?; do
	enrich -i n -p '{{text}}' <"$p" >"$p.out" &
	pids="$pids $!"
done
wait $pids
cat part.0?.out >done.jsonl
rm -f part.0? part.0?.out withids.jsonl
echo "$(wc -l <done.jsonl) rows"
