#!/bin/sh
# Classify with a fixed set of labels, and the model's confidence in each:
# every answer is one of the labels (a model that strays is asked again,
# told what was wrong), and the rows the model was unsure of are set
# aside for a human.  Usage: ./labels.sh [rows.jsonl]
set -eu
in=${1:-$(dirname "$0")/classify-alerts/alerts.jsonl}
enrich --labels S3,IAM,EC2,Lambda,Other --confidence -o service \
    -P temperature=0 --stats \
    -p 'Which cloud service does this alert concern? {{text}}' \
    <"$in" >labelled.jsonl 2>stats.txt
jq -r 'select(.confidence != null and .confidence < 0.9) |
    "\(.id)\t\(.service)\t\(.confidence)"' labelled.jsonl >unsure.tsv
echo "$(wc -l <labelled.jsonl | tr -d ' ') rows, $(wc -l <unsure.tsv | tr -d ' ') unsure"
