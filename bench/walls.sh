#!/bin/sh
# Scenarios 8, 9 and 10 of make bench: walls of tokens, fleets, and
# noise.  Run by bench/run.sh, which adds their tables to
# bench/RESULTS.md; or alone
# (sh bench/walls.sh), writing bench/out/walls.md; WALLS=9 runs only the
# fleet, WALLS=10 only the noise.  About 25 minutes, most of it the token
# wall's own pace.
#
# 8. A wall of 60,000 tokens a minute (two seconds of burst), each request
#    charged its prompt and its max_completion_tokens, refused as OpenAI
#    does ("tokens per min (TPM)", no Retry-After); 400 rows whose prompts
#    run from 10 to 750 tokens.  -j auto told nothing, -j auto with the
#    x-ratelimit-*-tokens headers, a fixed -j 32 (paced from its first
#    429), and -j 32 --tpm 60000.  The share of the wall is the tokens the
#    server accepted over what it could have in the run's time (its burst
#    included); refused is 429s over requests.
# 9. A fleet: 6,000 rows through 4 processes under GNU parallel --pipe
#    against one wall of 100 requests a second (a second of burst, 100 ms
#    a request, 429s with Retry-After: 1); beside them one process alone.
#    -j auto each, the same with 429s naming waits in ms (as OpenAI's
#    do), -j auto with --share, --rpm 1500 each (the division by hand),
#    and --share with one --rpm 6000.  Every row once, or the scenario
#    fails.
# 10. Noise, not a wall: 1,000 rows through a server that fails 20% of
#    requests at any rate (500, 502, 503 and 429 with Retry-After: 1, a
#    quarter each), 20 ms a request; -j 50 and -j auto, each given two
#    minutes at most: the rows written and the time.
set -eu
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
table=${WALLS_TABLE:-$out/walls.md}
[ -n "${WALLS_TABLE:-}" ] || : >"$table"
E=${ENRICH:-$(pwd)/enrich}
MOCK=${MOCK:-tests/mock}

pids=""
stop_all() { for p in $pids; do kill "$p" 2>/dev/null || true; done; }
trap stop_all EXIT INT TERM
mock_pid=
start_mock() {
	if [ -n "$mock_pid" ]; then
		kill "$mock_pid" 2>/dev/null || true
		wait "$mock_pid" 2>/dev/null || true
	fi
	rm -f "$out/port" "$out/mock.json"
	"$MOCK" --port-file "$out/port" --answer hash --max-seconds 3600 \
	    --stats "$out/mock.json" "$@" >/dev/null &
	mock_pid=$!
	pids="$pids $mock_pid"
	while [ ! -s "$out/port" ]; do sleep 0.05; done
	url="http://127.0.0.1:$(cat "$out/port")/v1"
}
# The mock writes its counts when it stops.
stop_mock() {
	kill "$mock_pid"
	wait "$mock_pid" 2>/dev/null || true
	mock_pid=
}
load() { awk '{ print $1 }' /proc/loadavg; }
# WALLS="9" runs only scenario 9.
want() { case " ${WALLS:-8 9 10} " in *" $1 "*) return 0 ;; esac; return 1; }

# 8.
if want 8; then
awk 'BEGIN { srand(15); for (i = 1; i <= 400; i++) {
    len = 40 + int(rand() * 2960); s = ""
    while (length(s) < len) s = s "lorem ipsum dolor "
    printf "{\"id\":%d,\"text\":\"%s\"}\n", i, substr(s, 1, len) } }' \
    >"$out/rtok"
printf '\n### 8. A wall of 60,000 tokens a minute, 400 rows of 10 to 750 tokens\n\n' >>"$table"
printf '| run | wall s | requests | 429s | refused | of wall | load before |\n|---|---|---|---|---|---|---|\n' >>"$table"
for run in "-j auto:" "-j auto:--ratelimit-headers" "-j 32:" \
    "-j 32 --tpm 60000:"; do
	opts=${run%%:*} mflags=${run#*:}
	l=$(load)
	start_mock --tpm 60000 --latency 200 --jitter 100 $mflags
	t0=$(date +%s%N)
	$E -u "$url" $opts -P max_completion_tokens=100 -p '{{text}}' \
	    <"$out/rtok" >"$out/tok.out" 2>"$out/tok.err"
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	stop_mock
	n=$(jq -r .id "$out/tok.out" | sort -u | wc -l)
	[ "$n" -eq 400 ] || { echo "8. $opts: $n rows" >&2; exit 1; }
	jq -r --arg name "enrich $opts${mflags:+ (limits announced)}" \
	    --argjson ms "$ms" --arg load "$l" '"| \($name) | \($ms / 1000 |
	    . * 10 | round / 10) | \(.requests) | \(.status_429) | \(100 *
	    .status_429 / .requests | . * 10 | round / 10)% | \(100 * .tokens /
	    (1000 * $ms / 1000 + 2000) | . * 10 | round / 10)% | \($load) |"' \
	    "$out/mock.json" >>"$table"
	echo "8. $opts $mflags: $(tail -1 "$table")" >&2
done
fi
# 10.
if want 10; then
awk 'BEGIN { for (i = 1; i <= 1000; i++)
    printf "{\"id\":%d,\"text\":\"row %d\"}\n", i, i }' >"$out/rnoise"
printf '\n### 10. Noise: 1,000 rows, 20%% of requests failed at any rate, a quarter of them 429 with Retry-After: 1\n\n' >>"$table"
printf '| run | wall s | rows written | requests | 429s | 5xx | load before |\n|---|---|---|---|---|---|---|\n' >>"$table"
for opts in "-j 50" "-j auto"; do
	l=$(load)
	start_mock --fail-429 5 --retry-after 1 --fail-500 15.79 --latency 20
	t0=$(date +%s%N)
	timeout 120 $E -u "$url" $opts -p '{{text}}' <"$out/rnoise" \
	    >"$out/noise.out" 2>/dev/null || true
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	stop_mock
	n=$(jq -r 'select(.answer) | .id' "$out/noise.out" | sort -u | wc -l)
	jq -r --arg name "enrich $opts" --argjson ms "$ms" --argjson n "$n" \
	    --arg load "$l" '"| \($name) | \($ms / 1000 | . * 10 | round /
	    10) | \($n) | \(.requests) | \(.status_429) | \(.status_5xx)" +
	    " | \($load) |"' "$out/mock.json" >>"$table"
	echo "10. $opts: $(tail -1 "$table")" >&2
done
fi

want 9 || exit 0

# 9.
if ! command -v parallel >/dev/null; then
	printf '\n(9. skipped: GNU parallel is not installed.)\n' >>"$table"
	exit 0
fi
awk 'BEGIN { for (i = 1; i <= 6000; i++)
    printf "{\"id\":%d,\"text\":\"row %d: a security alert\"}\n", i, i }' \
    >"$out/rfleet"
printf '\n### 9. A fleet: 6,000 rows, one wall of 100 requests a second, 100 ms a request\n\n' >>"$table"
printf '| run | wall s | requests | 429s | refused | of wall | load before |\n|---|---|---|---|---|---|---|\n' >>"$table"
for run in "1:-j auto" "4:-j auto" "4:-j auto:--retry-after-ms" \
    "4:-j auto --share SHARE" "4:--rpm 1500" "4:--rpm 6000 --share SHARE"; do
	procs=${run%%:*} opts=${run#*:} mflags=
	case $opts in *:*) mflags=${opts#*:} opts=${opts%%:*} ;; esac
	rm -f "$out/share"
	o=$(printf '%s' "$opts" | sed "s|SHARE|$out/share|")
	l=$(load)
	start_mock --rps 100 --latency 100 $mflags
	t0=$(date +%s%N)
	if [ "$procs" = 1 ]; then
		$E -u "$url" $o -p '{{text}}' <"$out/rfleet" >"$out/fleet.out"
	else
		parallel --will-cite --pipe --block 20k -j "$procs" \
		    $E -u "$url" $o -p "'{{text}}'" <"$out/rfleet" \
		    >"$out/fleet.out"
	fi
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	stop_mock
	n=$(jq -r .id "$out/fleet.out" | sort -u | wc -l)
	m=$(wc -l <"$out/fleet.out")
	[ "$n" -eq 6000 ] && [ "$m" -eq 6000 ] ||
	    { echo "9. $opts: $n rows in $m lines" >&2; exit 1; }
	name="$procs x enrich $(printf %s "$opts" | sed s/SHARE/FILE/)"
	jq -r --arg name "$name${mflags:+ (waits in ms)}" \
	    --argjson ms "$ms" \
	    --arg load "$l" '"| \($name) | \($ms / 1000 | . * 10 | round /
	    10) | \(.requests) | \(.status_429) | \(100 * .status_429 /
	    .requests | . * 10 | round / 10)% | \(100 * .ok / (100 * $ms /
	    1000 + 100) | . * 10 | round / 10)% | \($load) |"' \
	    "$out/mock.json" >>"$table"
	echo "9. $procs $opts: $(tail -1 "$table")" >&2
done
