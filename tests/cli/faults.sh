# Every random fault mode of the mock, one at a time and all at once: each
# input row has exactly one output line, and every row succeeds, because
# each fault is one that a retry gets past.
#
# 100 rows where the mock answers 429s, 300 for the rest: the first
# rate-limit 429 makes the fixed window learn a rate (pace.h), and with
# one in five requests refused it goes one at a time, so that 300 rows
# took 150 s to prove what 100 prove in 10.
. "$(dirname "$0")/../lib.sh"

# check WHAT ROWS mock-options...
check() {
	what=$1
	n=$2
	shift 2
	rows "$n" >"$T/in"
	mock_start --seed 7 --stats "$T/stats" "$@"
	"$ENRICH" -q -u "$URL" -j 30 -t 2 -r 8 -p '{{text}}' <"$T/in" \
	    >"$T/out" 2>"$T/err" || fail "$what: exit $?: $(head -3 "$T/out")"
	mock_stop
	assert_eq "$(wc -l <"$T/out")" "$n" "$what: lines"
	assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | sort -un | wc -l)" \
	    "$n" "$what: rows with their own answer"
}
# A 200 that is not a chat completion is retried once only, so a row that
# gets garbage twice fails, as a parse error after two attempts.
check_garbage() {
	rows 300 >"$T/in"
	mock_start --seed 7 --garbage 10
	"$ENRICH" -q -u "$URL" -j 30 -p '{{text}}' <"$T/in" >"$T/out" \
	    2>"$T/err" || true
	mock_stop
	assert_eq "$(wc -l <"$T/out")" 300 "garbage: lines"
	assert_eq "$(jq -r 'select(.answer == .text or (.error.type == "parse" and .error.attempts == 2)) | .id' "$T/out" | sort -un | wc -l)" \
	    300 "garbage: rows answered or failed after one retry"
	ok [ "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l)" -ge 285 ] ||
	    fail "garbage: too few answers"
}
check "429s" 100 --fail-429 20 --retry-after 0.1
check "500s" 300 --fail-500 20
check "dropped connections" 300 --drop 15
check "stalled responses" 300 --stall 5
check_garbage
check "all at once" 100 --fail-429 5 --retry-after 0.1 --fail-500 5 --drop 5 \
    --stall 2 --latency 5 --jitter 20
