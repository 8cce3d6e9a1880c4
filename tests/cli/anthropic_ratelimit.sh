# --anthropic pacing: anthropic-ratelimit-requests-* (the reset an RFC 3339
# time) pace a window far wider than the wall as x-ratelimit-* do; a 429
# rate_limit_error with retry-after is waited out, not failed.
. "$(dirname "$0")/../lib.sh"
export ANTHROPIC_API_KEY=k

# A wall of 100 a second that announces itself, -j 100, 600 rows.
mock_start --rps 100 --latency 20 --ratelimit-headers --stats "$T/stats"
rows 600 >"$T/in"
"$ENRICH" --anthropic -u "$URL" -j 100 -p '{{text}}' <"$T/in" >"$T/out"
mock_stop
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l)" 600
n429=$(jq .status_429 "$T/stats")
[ "$n429" -lt 10 ] || fail "announced: $n429 429s"

# The same wall, not announced: the 429s (rate_limit_error, retry-after)
# are waited out with -r 0; more of them than when announced.
mock_start --rps 100 --latency 20 --stats "$T/stats"
"$ENRICH" --anthropic -u "$URL" -r 0 -j 100 -p '{{text}}' <"$T/in" >"$T/out"
mock_stop
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l)" 600
[ "$(jq .status_429 "$T/stats")" -gt "$n429" ] ||
    fail "the headers made no difference: $(jq .status_429 "$T/stats") 429s"

# retry-after is honoured, on a 429 and on a 529 alike.
mock_start
printf '%s\n' '{"id":1,"t":"a [[status-once:429]] [[retry-after:1]]"}' \
    '{"id":2,"t":"b [[status-once:529]] [[retry-after:1]]"}' >"$T/in"
start=$(date +%s%N)
"$ENRICH" --anthropic -u "$URL" -v -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
mock_stop
assert_eq "$(jq -r 'select(.answer == .t) | .id' "$T/out" | sort | paste -s -d ' ' -)" '1 2'
assert_grep 'rate limited, all wait 1.0 s' "$T/err"
assert_grep 'row 2: HTTP 529: Overloaded; retry in 1.0 s' "$T/err"
[ "$ms" -ge 1000 ] || fail "retry-after not waited: $ms ms"
