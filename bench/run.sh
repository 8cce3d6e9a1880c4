#!/bin/sh
# make bench: every scenario of the benchmark, enrich beside its peers, in
# one run on this machine, written to bench/RESULTS.md.  Never part of
# make check.  Only 127.0.0.1 is a target; every server started here is
# stopped here.  About half an hour on two cores, twenty minutes of it the
# walls of scenarios 8 and 9 (bench/walls.sh).
#
# Peers (bench/peers/): the usual ways to do the same job.
#   threadpool.py       Python ThreadPoolExecutor + requests
#   asyncio_aiohttp.py  Python asyncio + aiohttp
#   xargs_curl.sh       jq + xargs -P + curl, a process per row
#   curl_multi.c        a bare libcurl multi loop POSTing pre-built bodies:
#                       the floor for any libcurl client
set -eu
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
cc -O2 -o "$out/curl_multi" bench/peers/curl_multi.c \
    $(pkg-config --libs libcurl)

pids=""
stop_all() { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
trap stop_all EXIT INT TERM

mock_pid=
start_mock() {
	if [ -n "$mock_pid" ]; then	# stop_all may have stopped it
		kill "$mock_pid" 2>/dev/null || true
		wait "$mock_pid" 2>/dev/null || true
	fi
	rm -f "$out/port"
	tests/mock --port-file "$out/port" --answer hash --max-seconds 900 "$@" \
	    >/dev/null &
	mock_pid=$!
	pids="$pids $mock_pid"
	while [ ! -s "$out/port" ]; do sleep 0.05; done
	url="http://127.0.0.1:$(cat "$out/port")/v1"
}
mock_cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' /proc/$mock_pid/stat; }

# rows N FILE [PAD]: N rows, each with PAD bytes of text (default: a short
# sentence); bodies FILE: the same requests pre-built, for the floor.
bodies() { ./enrich --dry-run -p '{{text}}' <"$1" | jq -c .request >"$1.bodies"; }
rows() {
	awk -v n="$1" -v pad="${3:-0}" 'BEGIN {
	    s = "a security alert about a storage bucket made public"
	    if (pad > 0) { s = ""; while (length(s) < pad) s = s "lorem ipsum dolor sit amet " ; s = substr(s, 1, pad) }
	    for (i = 1; i <= n; i++) printf "{\"id\":%d,\"text\":\"row %d: %s\"}\n", i, i, s }' >"$2"
}

table=$out/table
: >"$table"
section() { printf '\n### %s\n\n| run | rows | wall s | CPU s | CPU µs/row | peak RSS MB | rows/s | %s |\n|---|---|---|---|---|---|---|---|\n' "$1" "$2" >>"$table"; }

# measure NAME ROWS BOUND_S COMMAND...: time one run, add a line.
measure() {
	name=$1 n=$2 bound=$3
	shift 3
	/usr/bin/time -f '%e %U %S %M' -o "$out/time" "$@" >"$out/stdout" \
	    2>"$out/stderr" || { echo "$name failed: $(tail -3 "$out/stderr")" >&2; exit 1; }
	got=$(wc -l <"$out/stdout")
	case $name in *floor*) got=$n ;; esac	# the floor prints nothing per row
	[ "$got" -eq "$n" ] || { echo "$name: $got lines for $n rows" >&2; exit 1; }
	read -r wall user sys rss <"$out/time"
	awk -v name="$name" -v wall="$wall" -v user="$user" -v sys="$sys" \
	    -v rss="$rss" -v n="$n" -v bound="$bound" 'BEGIN {
		cpu = user + sys
		last = bound > 0 ? sprintf("%.1f%%", 100 * bound / wall) : "-"
		printf "| %s | %d | %.2f | %.2f | %.1f | %.1f | %.0f | %s |\n", name,
		    n, wall, cpu, cpu * 1e6 / n, rss / 1024, n / wall, last }' >>"$table"
	echo "$name: $wall s" >&2
}

E=./enrich
rows 20000 "$out/r20k"
rows 2000 "$out/r2k"
rows 50000 "$out/r50k"
rows 10000 "$out/r10k"
rows 1000 "$out/r1k"
bodies "$out/r20k"
bodies "$out/r50k"

# The mock's own ceiling, so that it is known not to be the bottleneck.
start_mock
cat >"$out/post.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"model":"m","messages":[{"role":"user","content":"row 1: a security alert"}]}'
wrk.headers["Content-Type"] = "application/json"
EOF
ceiling=$(wrk -t1 -c100 -d5s -s "$out/post.lua" "$url/chat/completions" |
    awk '/Requests\/sec/ { printf "%.0f", $2 }')

# 1. Latency-bound: 20,000 rows at 100 ms.  Bound: rows x latency / jobs.
section "1. Latency-bound: 100 ms a request" "of bound"
start_mock --latency 100
measure "enrich -j 100" 20000 20 $E -u "$url" -j 100 -p '{{text}}' <"$out/r20k"
measure "curl_multi floor W=100" 20000 20 "$out/curl_multi" "$url/chat/completions" 100 <"$out/r20k.bodies"
measure "asyncio_aiohttp J=100" 20000 20 bench/peers/asyncio_aiohttp.py "$url" 100 <"$out/r20k"
measure "threadpool J=100" 20000 20 bench/peers/threadpool.py "$url" 100 <"$out/r20k"
measure "xargs_curl J=100 (2,000 rows)" 2000 2 bench/peers/xargs_curl.sh "$url" 100 <"$out/r2k"
for k in 1 2 3; do
	measure "enrich -j 1000 (run $k)" 20000 2 $E -u "$url" -j 1000 -p '{{text}}' <"$out/r20k"
	measure "curl_multi floor W=1000 (run $k)" 20000 2 "$out/curl_multi" "$url/chat/completions" 1000 <"$out/r20k.bodies"
done
measure "asyncio_aiohttp J=1000" 20000 2 bench/peers/asyncio_aiohttp.py "$url" 1000 <"$out/r20k"
lat_mock=$(mock_cpu)

# 2. CPU per row with no latency at all.  The machine is shared and noisy:
# three runs each, and the ratios from each one's best.
section "2. CPU per row at zero latency, -j 64" "CPU vs floor"
start_mock
for k in 1 2 3; do
	measure "enrich -j 64 (run $k)" 50000 0 $E -u "$url" -j 64 -p '{{text}}' <"$out/r50k"
	measure "curl_multi floor W=64 (run $k)" 50000 0 "$out/curl_multi" "$url/chat/completions" 64 <"$out/r50k.bodies"
	measure "asyncio_aiohttp J=64 (run $k)" 10000 0 bench/peers/asyncio_aiohttp.py "$url" 64 <"$out/r10k"
done
measure "threadpool J=64" 10000 0 bench/peers/threadpool.py "$url" 64 <"$out/r10k"
measure "xargs_curl J=64 (1,000 rows)" 1000 0 bench/peers/xargs_curl.sh "$url" 64 <"$out/r1k"
best() { grep "^| $1" "$table" | awk -F'|' '{ print $6 + 0 }' | sort -n | head -1; }
cpu_enrich=$(best "enrich -j 64")
cpu_floor=$(best "curl_multi floor W=64")
cpu_async=$(best "asyncio_aiohttp J=64")
awk -F'|' -v f="$cpu_floor" 'BEGIN { OFS = "|" }
    /CPU per row at zero/ { on = 1 } /^### 3/ { on = 0 }
    on && $2 ~ /-j 64|W=64|J=64/ { $9 = sprintf(" %.2fx ", $6 / f) } { print }' \
    "$table" >"$table.new" && mv "$table.new" "$table"
printf '\nBest of each: enrich %s µs a row, the floor %s, asyncio %s: enrich costs %s x the floor, and asyncio %s x enrich.\n' \
    "$cpu_enrich" "$cpu_floor" "$cpu_async" \
    "$(awk -v a="$cpu_enrich" -v b="$cpu_floor" 'BEGIN { printf "%.2f", a / b }')" \
    "$(awk -v a="$cpu_async" -v b="$cpu_enrich" 'BEGIN { printf "%.1f", a / b }')" >>"$table"

# 3. Memory: a million rows, and ten thousand, at -j 256.
section "3. Memory at -j 256: input size must not matter" "-"
rows 1000000 "$out/r1m"
measure "enrich -j 256, 10,000 rows" 10000 0 $E -u "$url" -j 256 -p '{{text}}' <"$out/r10k"
measure "enrich -j 256, 1,000,000 rows" 1000000 0 $E -u "$url" -j 256 -p '{{text}}' <"$out/r1m"
rm -f "$out/r1m"

# 4. Big rows: 2,000 rows of 200 KB; the floor sends the same bodies.
section "4. Big rows: 2,000 of 200 KB" "wall vs floor"
rows 2000 "$out/rbig" 200000
bodies "$out/rbig"
measure "enrich -j 64" 2000 0 $E -u "$url" -j 64 -p '{{text}}' <"$out/rbig"
measure "curl_multi floor W=64" 2000 0 "$out/curl_multi" "$url/chat/completions" 64 <"$out/rbig.bodies"
floorw=$(tail -1 "$table" | awk -F'|' '{ print $4 }')
awk -F'|' -v f="$floorw" 'BEGIN { OFS = "|" } /Big rows/ { on = 1 }
    on && $2 ~ /enrich|floor/ { $9 = sprintf(" %.2fx ", $4 / f) } { print }' \
    "$table" >"$table.new" && mv "$table.new" "$table"
rm -f "$out/rbig" "$out/rbig.bodies"

# 5. Start-up: a dry run of one row, 200 times.
head -1 "$out/r1k" >"$out/r1"
t0=$(date +%s%N)
for k in $(seq 200); do $E --dry-run -p '{{text}}' <"$out/r1" >/dev/null; done
startup=$(( ($(date +%s%N) - t0) / 200000 ))	# µs
# The same for a program that only links libcurl and exits: the floor.
printf '#include <curl/curl.h>\n#include <stdio.h>\nint main(int c, char **v) { if (c > 9) puts(curl_version()); return 0; }\n' >"$out/linked.c"
cc -o "$out/linked" "$out/linked.c" $(pkg-config --libs libcurl)
t0=$(date +%s%N)
for k in $(seq 200); do "$out/linked"; done
linked=$(( ($(date +%s%N) - t0) / 200000 ))
stop_all

# 6. HTTP/2 over TLS through nginx, against HTTP/1.1: connections opened.
h2=""
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
	start_mock --latency 100
	mp=$(cat "$out/port")
	ng=$out/nginx
	mkdir -p "$ng"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$ng/key.pem" \
	    -out "$ng/cert.pem" -days 2 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 2>/dev/null
	cat >"$ng/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $PWD/$ng/nginx.pid;
error_log $PWD/$ng/error.log;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $PWD/$ng/body;
  proxy_temp_path $PWD/$ng/proxy;
  fastcgi_temp_path $PWD/$ng/fcgi;
  uwsgi_temp_path $PWD/$ng/uwsgi;
  scgi_temp_path $PWD/$ng/scgi;
  upstream mock { server 127.0.0.1:$mp; keepalive 1024; }
  server {
    listen 127.0.0.1:18843 ssl http2;
    ssl_certificate $PWD/$ng/cert.pem;
    ssl_certificate_key $PWD/$ng/key.pem;
    http2_max_concurrent_streams 128;
    keepalive_requests 1000000;
    location / { proxy_pass http://mock; proxy_http_version 1.1;
      proxy_set_header Connection ""; }
  }
}
EOF
	nginx -c "$PWD/$ng/nginx.conf" &
	pids="$pids $!"
	sleep 1
	section "6. HTTPS through nginx, 100 ms, -j 1000: HTTP/2 against HTTP/1.1" "connections"
	for v in "" --http1.1; do
		measure "enrich ${v:-(HTTP/2 learned)}" 20000 2 $E -u https://127.0.0.1:18843/v1 \
		    --cacert "$ng/cert.pem" $v -j 1000 --stats-json "$out/st.json" -p '{{text}}' <"$out/r20k"
		c=$(jq .connections "$out/st.json")
		sed -i '$ s/| [^|]* |$/| '"$c"' |/' "$table"
	done
	stop_all
	h2=1
fi

# 7. A rate-limit wall: 200 requests a second with a second of burst,
# 100 ms a request, 429s with retry-after-ms beyond it.  The bound is the
# wall itself, (rows - burst) / 200; the last column is what share of it
# the run reached, and how many requests the server refused.
section "7. A wall of 200 requests a second, 100 ms a request" "of wall, 429s"
rows 3000 "$out/r3k"
for run in "-j auto:" "-j auto:--ratelimit-headers" "-j 100:" "-j 32:" \
    "-j 100 --rpm 12000:"; do
	opts=${run%%:*} mflags=${run#*:}
	start_mock --rps 200 --retry-after-ms --latency 100 $mflags
	measure "enrich $opts${mflags:+ (limits announced)}" 3000 14 $E -u "$url" \
	    $opts --stats-json "$out/st.json" -p '{{text}}' <"$out/r3k"
	sed -i '$ s/| [^|]* |$/| '"$(tail -1 "$table" | awk -F'|' '{ print $9 }' |
	    tr -d ' ')"', '"$(jq .http_429 "$out/st.json")"' |/' "$table"
done
stop_all

# 8 and 9: a wall of tokens, and a fleet of processes against one wall
# (bench/walls.sh, which runs alone too).
WALLS_TABLE=$table sh bench/walls.sh

{
	echo "# Benchmarks"
	echo
	echo "Written by \`make bench\` (bench/run.sh): every number below comes from"
	echo "one run, side by side on the same machine and the same input."
	echo
	echo "- Machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo), $(free -g | awk '/Mem:/ { print $2 }') GiB;"
	echo "  $(uname -sr); libcurl $(curl-config --version | cut -d' ' -f2); $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo "- Server: tests/mock on the same two cores.  Its own ceiling (wrk -t1"
	echo "  -c100, POST, no latency): $ceiling requests/s.  It used $lat_mock CPU-s"
	echo "  during the latency runs."
	echo "- Rows: {\"id\":N,\"text\":\"row N: a security alert ...\"}; enrich runs"
	echo "  \`enrich -u URL -j J -p '{{text}}' < rows\`; each peer does the same"
	echo "  (bench/peers/).  CPU is user + system of the client alone."
	echo "- 5. Start-up: \`enrich --dry-run\` on one row takes $startup µs (mean of 200);"
	echo "  a program that only links Debian's libcurl and exits takes $linked µs."
	[ -n "$h2" ] || echo "- Scenario 6 was skipped: nginx or openssl is missing."
	cat "$table"
	if [ -f bench/NOTES.md ]; then
		echo
		cat bench/NOTES.md
	fi
} >bench/RESULTS.md
cat bench/RESULTS.md
