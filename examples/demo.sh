#!/bin/sh
# make demo: the classify-alerts pipeline against the bundled mock server,
# which stands in for a model by answering with the first cloud service
# named in each prompt.  Then a crash and a resume.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
trap 'kill $mock 2>/dev/null; rm -rf "$work"' EXIT INT TERM

services="S3,IAM,EC2,CloudTrail,RDS,Lambda,EKS,KMS,GuardDuty,Cloud Storage"
services="$services,Key Vault,Entra ID,BigQuery,Compute Engine,Blob Storage"
services="$services,AKS,Cloud SQL,GKE,Virtual Machines,Azure SQL Database"
tests/mock --port-file "$work/port" --latency 200 --jitter 300 \
    --answer "pick:$services" --max-seconds 120 >/dev/null &
mock=$!
while [ ! -s "$work/port" ]; do sleep 0.05; done
export OPENAI_BASE_URL="http://127.0.0.1:$(cat "$work/port")/v1"
export PATH="$root:$PATH"
cp examples/classify-alerts/* "$work/"

echo "== 40 alerts, 0.2-0.5 s per answer, 100 at a time:"
echo "\$ ./classify.sh"
start=$(date +%s%N)
"$work/classify.sh"
echo "($(( ($(date +%s%N) - start) / 1000000 )) ms; one at a time would take ~14 s)"
echo
echo "== A row as it comes out:"
head -1 "$work/done.jsonl"
echo
echo "== A crash after 25 rows, then the same command again:"
head -25 "$work/done.jsonl" >"$work/partial" && mv "$work/partial" "$work/done.jsonl"
enrich -v -f "$work/prompt.txt" -o service --skip-ids "$work/done.jsonl" \
    <"$work/alerts.jsonl" 2>&1 >>"$work/done.jsonl" | grep 'ok,'
echo "done.jsonl now holds $(jq -r .id "$work/done.jsonl" | sort -u | wc -l) distinct rows of 40."
