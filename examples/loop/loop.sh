#!/bin/sh
# The loop around the runs: try a prompt on a fixed sample of rows
# someone already labelled, measure it against their labels, try a better
# one on the same rows, then run every row with the better one, paying
# nothing again for the sample's rows and sending only the rows the cheap
# model is unsure of to the strong one.
#
#   export OPENAI_API_KEY=...
#   ./loop.sh [labelled.jsonl [all.jsonl]]
#
# labelled.jsonl holds the right answer of each row in "gold"; all.jsonl
# is every row (by default, the labelled ones).  SAMPLE (5%), MODEL
# (gpt-4o-mini), STRONG (gpt-4o) and BELOW (0.8) change the loop's knobs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
labelled=${1:-$here/labelled.jsonl}
all=${2:-$labelled}

# What every run shares, so that its requests are the same: the model,
# the labels, the answers' probabilities; and the cache, which makes a
# row asked before free.
run() {
	enrich -m "${MODEL:-gpt-4o-mini}" --labels-file "$here/labels.txt" \
	    --confidence -o service -P temperature=0 --cache "${CACHE:-cache}" \
	    "$@"
}

# Each prompt on the same sample: the rows whose ID hashes into it.
for v in v1 v2; do
	run --sample "${SAMPLE:-5%}" --expect gold --stats-json "$v.json" \
	    -f "$here/prompt-$v.txt" <"$labelled" >"sample-$v.jsonl"
	jq -r --arg v "$v" '"\($v): \(.expect.agree) of \(.expect.rows) right, accuracy \(.expect.accuracy)"' "$v.json"
done

# Every row with v2: the sample's are in the cache; the unsure go on.
run --escalate "${STRONG:-gpt-4o}" --below "${BELOW:-0.8}" \
    --stats-json all.json -f "$here/prompt-v2.txt" <"$all" >all.jsonl
jq -r '"all: \(.rows_ok) rows, \(.cache_hits) from the cache, \(.escalated) escalated"' all.json
