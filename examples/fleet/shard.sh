#!/bin/sh
# One shard of a job split N ways, for array jobs (Slurm, Kubernetes
# Indexed Jobs, anything that hands each task an index): part INDEX (from
# 0) of COUNT of the input, by whole lines, through enrich into
# OUT.INDEX.  Run again, it sends only the rows not yet done (failed ones
# again), so a failed index is re-run as it is.  The rows need IDs of
# their own (line numbers start again in each part).
#
# Usage: shard.sh INDEX COUNT rows.jsonl OUT [enrich options...]
set -eu
[ $# -ge 4 ] || { echo "usage: shard.sh INDEX COUNT rows.jsonl OUT" \
    "[enrich options]" >&2; exit 2; }
index=$1 count=$2 in=$3 out=$4.$1
shift 4
touch "$out"
split -n "l/$((index + 1))/$count" "$in" |
    ${ENRICH:-enrich} --skip-ids "$out" "$@" >>"$out"
