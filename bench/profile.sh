#!/bin/sh
# Where enrich's CPU goes: callgrind over 5,000 rows at zero latency, the
# instructions grouped by who spends them.  Instruction counts do not
# depend on how busy the machine is, so they compare across runs.
set -eu
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
rm -f "$out/port"
tests/mock --port-file "$out/port" --answer hash --max-seconds 300 >/dev/null &
mock=$!
trap 'kill $mock 2>/dev/null' EXIT
while [ ! -s "$out/port" ]; do sleep 0.05; done
awk 'BEGIN { for (i = 1; i <= 5000; i++) printf "{\"id\":%d,\"text\":\"row %d: a security alert about a storage bucket made public\"}\n", i, i }' >"$out/prof.jsonl"
valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
    ./enrich -u "http://127.0.0.1:$(cat "$out/port")/v1" -j 64 -p '{{text}}' \
    <"$out/prof.jsonl" >/dev/null 2>"$out/callgrind.err"
# Self cost per function, summed by where the function lives.
callgrind_annotate --auto=no --threshold=100 "$out/callgrind.out" 2>/dev/null |
    awk '/^ *[0-9,]+ / && $0 ~ /:/ {
	n = $1; gsub(",", "", n)
	w = "other"
	if ($0 ~ /PROGRAM TOTALS/) next
	if ($0 ~ /libcurl/) w = "libcurl"
	else if ($0 ~ /lib\/json\.c/) w = "JSON (lib/json.c)"
	else if ($0 ~ /lib\/(siphash|dedup|claim|cache)\.c|libmd/) w = "keys and duplicates (siphash, dedup, claim)"
	else if ($0 ~ /lib\/template\.c/) w = "templates (lib/template.c)"
	else if ($0 ~ /lib\/(output|record|deliver)\.c/) w = "output (lib/output.c, record, deliver)"
	else if ($0 ~ /lib\/(rows|request|input|answer)\.c/) w = "rows, requests, answers (lib/rows.c, request, input, answer)"
	else if ($0 ~ /filter\.c|lib\/(pool|lines|buf|sched|realtime|headers|progress)\.c/) w = "the loop (filter.c, sched, pool, lines, buf)"
	else if ($0 ~ /libc\.so|libc-|\/libc\//) w = "libc (malloc, memcpy, ...)"
	else if ($0 ~ /ld-linux/) w = "dynamic linker (start-up)"
	else if ($0 ~ /libssl|libcrypto|libnghttp2|libz|libbrotli|libidn|libzstd/) w = "other libraries"
	sum[w] += n; total += n }
    END { for (w in sum) printf "%6.1f%%  %s\n", 100 * sum[w] / total, w
	printf "total: %.0f instructions, %.0f a row\n", total, total / 5000 }' |
    sort -rn
