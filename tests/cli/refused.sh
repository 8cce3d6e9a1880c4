# A row the server refuses forever with 429 while the others succeed
# fails on its own limit (--max-429, not -r) in seconds, every other row
# written; while it waits, stderr says so (not a terminal here), with what
# it waits on and until when.  A wall that refuses every row is left to
# --stall-timeout.
. "$(dirname "$0")/../lib.sh"
mock_start

# 50 rows, one refused with 429 forever (the mock names a wait of 1 s),
# one failing with 503 (a wait of 3 s named) for -r 3.
{ rows 48; printf '%s\n' '{"id":"bad","text":"[[status:429]] x"}' \
    '{"id":"busy","text":"[[status:503]] [[retry-after:3]] y"}'; } >"$T/in"
start=$(date +%s)
assert_status 1 timeout 50 "$ENRICH" -u "$URL" -r 3 -p '{{text}}' \
    --errors "$T/failed" <"$T/in" >"$T/out" 2>"$T/err"
took=$(($(date +%s) - start))
ok [ "$took" -lt 40 ] || fail "the refused row held the run $took s"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 48 "rows written"
assert_eq "$(jq -r .id "$T/failed" | sort | tr '\n' ' ')" "bad busy " \
    "rows failed"
assert_eq "$(jq -r 'select(.id == "bad") | .error.message' "$T/failed")" \
    "mock status 429 (refused 10 times while other rows succeeded: --max-429)"
# Its first 429 counts only if another row succeeded while it was asked.
case $(jq -r 'select(.id == "bad") | .error.attempts' "$T/failed") in
10|11) ;;
*) fail "attempts of the refused row: $(cat "$T/failed")" ;;
esac
assert_eq "$(jq -r 'select(.id == "busy") | .error.attempts' "$T/failed")" 4
# Said while waiting: how many, on what, and until when.
assert_grep '^enrich: 2 rows waiting, nothing written for [56] s: ' "$T/err"
assert_grep '1 refused with 429 (refusals [0-9] of --max-429 10; all given up at [0-9][0-9]:[0-9][0-9]:[0-9][0-9] by --stall-timeout unless a row succeeds first)' "$T/err"
assert_grep '1 to retry after an error (retries [12] of -r 3)' "$T/err"
assert_grep 'next try \(in [0-9.]* s\|now\)$' "$T/err"
# Once in those seconds: the next is due 10 s later.
assert_eq "$(grep -c 'waiting, nothing written' "$T/err")" 1
# -q says nothing of it.
printf '%s\n' '{"id":"bad","text":"[[status:429]] [[retry-after:0]] x"}' \
    >"$T/in2"
rows 3 >>"$T/in2"
assert_status 1 timeout 20 "$ENRICH" -q -u "$URL" --max-429 3 -p '{{text}}' \
    <"$T/in2" >"$T/out" 2>"$T/err"
ok [ ! -s "$T/err" ] || fail "-q said: $(cat "$T/err")"
assert_eq "$(jq -r 'select(.error) | .error.message' "$T/out")" \
    "mock status 429 (refused 3 times while other rows succeeded: --max-429)"

# Refused forever without a wait named: the row's own backoff stays under
# 2 s a refusal, so its ten 429s end it in well under a minute (up to
# 30 s each, they took about 75 s).
{ rows 20; printf '%s\n' '{"id":"bad","text":"[[status:429]] [[no-retry-after]] x"}'; } >"$T/in"
start=$(date +%s)
assert_status 1 timeout 40 "$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" \
    >"$T/out" 2>"$T/err"
took=$(($(date +%s) - start))
[ "$took" -lt 25 ] || fail "a refused row without a named wait took $took s"
assert_eq "$(jq -r 'select(.error) | .error.message' "$T/out")" \
    "mock status 429 (refused 10 times while other rows succeeded: --max-429)"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l | tr -d ' ')" 20

# A wall that refuses every row: never the rows' fault, so --max-429 does
# not fail them; --stall-timeout does.
mock_stop
mock_start --fail-429 100 --retry-after 1
rows 3 >"$T/in"
assert_status 1 timeout 30 "$ENRICH" -u "$URL" --max-429 1 \
    --stall-timeout 3 -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .error.message "$T/out" | sed 's/.*(//' | sort -u)" \
    "no row succeeded for 3 s: --stall-timeout)" "why the wall's rows failed"
ok [ "$(jq -r '.error.attempts' "$T/out" | sort -n | head -1)" -ge 2 ] ||
    fail "a wall's rows failed at their first 429: $(cat "$T/out")"

# The option's range, named.
assert_status 2 "$ENRICH" -u "$URL" --max-429 0 -p x </dev/null 2>"$T/err"
assert_grep 'max-429 0: too small (1 to 1000)' "$T/err"
