#!/bin/sh
# make bench: measure enrich against its bounds and against the floor of
# any libcurl client (peers/curl_multi.c: a bare multi loop sending
# pre-built bodies), in one run on this machine, and write RESULTS.md.
# Never part of make check.  Only 127.0.0.1 is used.
set -eu
cd "$(dirname "$0")/.."
root=$PWD
out=bench/out
mkdir -p "$out"
cc -O2 -o "$out/curl_multi" bench/peers/curl_multi.c $(pkg-config --libs libcurl)

mock_pid=
stop_mock() { [ -z "$mock_pid" ] || kill "$mock_pid" 2>/dev/null || true; mock_pid=; }
trap stop_mock EXIT INT TERM
start_mock() {
	stop_mock
	rm -f "$out/port"
	tests/mock --port-file "$out/port" --answer hash --max-seconds 900 "$@" \
	    >/dev/null &
	mock_pid=$!
	while [ ! -s "$out/port" ]; do sleep 0.05; done
	url="http://127.0.0.1:$(cat "$out/port")/v1"
}

# rows N FILE: N rows of about 120 bytes, and their pre-built bodies.
rows() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"id\":%d,\"text\":\"row %d: a security alert about a bucket made public by a user\"}\n", i, i }' >"$2"
	./enrich --dry-run -p '{{text}}' <"$2" | jq -c .request >"$2.bodies"
}

# measure NAME BOUND_S ROWS COMMAND...: one line of the table.
measure() {
	name=$1 bound=$2 n=$3
	shift 3
	/usr/bin/time -f '%e %U %S %M' -o "$out/time" "$@" >/dev/null 2>"$out/err" ||
	    { echo "$name failed: $(tail -3 "$out/err")" >&2; exit 1; }
	read -r wall user sys rss <"$out/time"
	awk -v name="$name" -v wall="$wall" -v user="$user" -v sys="$sys" \
	    -v rss="$rss" -v n="$n" -v bound="$bound" 'BEGIN {
		cpu = user + sys
		ratio = bound > 0 ? sprintf("%.1f%%", 100 * bound / wall) : "-"
		printf "| %s | %.2f | %.2f | %.1f | %d | %.0f | %s |\n", name, wall,
		    cpu, cpu * 1e6 / n, rss / 1024, n / wall, ratio }' >>"$out/table"
}

: >"$out/table"
rows 20000 "$out/r20k"
rows 50000 "$out/r50k"

start_mock --latency 100
mock=$mock_pid
measure "enrich -j 100, 100 ms" 20 20000 ./enrich -u "$url" -j 100 -p '{{text}}' <"$out/r20k"
measure "curl_multi floor W=100, 100 ms" 20 20000 "$out/curl_multi" "$url/chat/completions" 100 <"$out/r20k.bodies"
for k in 1 2 3; do
	measure "enrich -j 1000, 100 ms (run $k)" 2 20000 ./enrich -u "$url" -j 1000 -p '{{text}}' <"$out/r20k"
	measure "curl_multi floor W=1000, 100 ms (run $k)" 2 20000 "$out/curl_multi" "$url/chat/completions" 1000 <"$out/r20k.bodies"
done
mock_cpu=$(awk '{ print ($14 + $15) / 100 }' /proc/$mock/stat)

start_mock
for k in 1 2 3; do
	measure "enrich -j 64, 0 ms (run $k)" 0 50000 ./enrich -u "$url" -j 64 -p '{{text}}' <"$out/r50k"
	measure "curl_multi floor W=64, 0 ms (run $k)" 0 50000 "$out/curl_multi" "$url/chat/completions" 64 <"$out/r50k.bodies"
done
head -1 "$out/r50k" >"$out/r1"
measure "enrich --dry-run, 1 row" 0 1 ./enrich --dry-run -p '{{text}}' <"$out/r1"
stop_mock

{
	echo "# Benchmarks"
	echo
	echo "Written by \`make bench\` (bench/run.sh); numbers from one run, side by side."
	echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo),"
	echo "$(uname -sr), libcurl $(curl-config --version | cut -d' ' -f2); $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo "The mock server (tests/mock) runs on the same two cores; during the"
	echo "latency runs it used $mock_cpu CPU-s in all."
	echo
	echo "Rows are {\"id\":N,\"text\":\"row N: ...\"} (about 90 bytes); the command is"
	echo "\`enrich -u URL -j J -p '{{text}}' < rows\`.  The floor is"
	echo "\`bench/peers/curl_multi URL W < bodies\`, the same requests pre-built."
	echo "Bound: rows x latency / jobs; 'of bound' is bound / wall."
	echo
	echo "| run | wall s | CPU s | CPU µs/row | peak RSS MB | rows/s | of bound |"
	echo "|---|---|---|---|---|---|---|"
	cat "$out/table"
} >bench/RESULTS.md.new
if [ -f bench/NOTES.md ]; then
	echo >>bench/RESULTS.md.new
	cat bench/NOTES.md >>bench/RESULTS.md.new
fi
mv bench/RESULTS.md.new bench/RESULTS.md
cat bench/RESULTS.md
