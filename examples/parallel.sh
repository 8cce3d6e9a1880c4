#!/bin/sh
# One job over four processes with GNU parallel, each with a quarter of the
# rate limit; add --sshlogin 4/host1,4/host2 to use other machines (each
# needs enrich and the key).  Usage: RPM=500 ./parallel.sh [rows.jsonl]
set -eu
in=${1:-$(dirname "$0")/classify-alerts/alerts.jsonl}
rpm=${RPM:-500}
jq -c '.n = input_line_number' <"$in" |
    parallel --will-cite --pipe --block 2k -j 4 \
    enrich -i n --rpm $((rpm / 4)) -p "'{{text}}'" >done.jsonl
echo "$(jq -r .n done.jsonl | sort -un | wc -l) rows, each once"
