# Random 429s are not a wall: a server that fails 20% of requests at any
# rate (500, 502, 503 and 429 with Retry-After: 1, a quarter each) has
# every one of 1,000 rows answered at -j 50 in seconds.  Taken for a wall,
# each 429 held the run a second and cut the rate again: 358 rows in two
# minutes, paced at 1.2 requests/s.
. "$(dirname "$0")/../lib.sh"

# 5% get the 429; 15.79% of the rest (15% of all) a 500, 502 or 503.
mock_start --fail-429 5 --retry-after 1 --fail-500 15.79 --latency 20 \
    --stats "$T/stats"
rows 1000 >"$T/in"
# -r 8: six 5xx in a row for one row come once in some 60 runs of 1,000
# rows; the retries are not what this checks.
start=$(date +%s)
timeout 60 "$ENRICH" -u "$URL" -j 50 -r 8 --stats-json "$T/st" \
    -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err" ||
    fail "exit $?: $(tail -3 "$T/err")"
took=$(($(date +%s) - start))
mock_stop
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | sort -u |
    wc -l | tr -d ' ')" 1000 "rows answered"
! figures || [ "$took" -lt 30 ] || fail "1,000 rows took $took s"
[ "$(jq .status_429 "$T/stats")" -ge 20 ] ||
    fail "only $(jq .status_429 "$T/stats") 429s served"
[ "$(jq .status_5xx "$T/stats")" -ge 60 ] ||
    fail "only $(jq .status_5xx "$T/stats") 5xx served"
