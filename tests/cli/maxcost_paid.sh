# --max-cost and rows asked again: when the money runs out, a row whose
# first answer was paid for but whose re-ask no longer fits is written all
# the same (an error of type max_cost holding the answer paid for), its
# tokens and dollars counted; only rows never sent are left unwritten.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log" --latency 20

# near A B: the two amounts agree to a millionth of a dollar.
near() {
	[ "$(jq -n --argjson a "$1" --argjson b "$2" \
	    '($a - $b) | fabs < 0.000001')" = true ] ||
	    fail "${3:-cost}: got $1, want $2"
}

# Every first answer is not a label, every second is: each row is paid
# for twice.  $1 a token.
awk 'BEGIN { for (i = 1; i <= 40; i++)
    printf "{\"id\":%d,\"text\":\"row %d [[reask:bad|S3]]\"}\n", i, i }' \
    >"$T/in"
set +e
"$ENRICH" -u "$URL" -p '{{text}}' --labels S3,EC2 -P max_tokens=10 -j 4 \
    --max-cost 1000 --price-in 1000000 --price-out 1000000 --meta \
    --stats --stats-json "$T/st" <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
set -e
assert_eq "$rc" 4 "exit status: $(cat "$T/err")"

# The rows the server was asked about, and those written: the same.
jq -r '.body | fromjson | .messages[] | select(.role == "user") |
    .content' "$T/log" | sed -n 's/^row \([0-9]*\) .*/\1/p' | sort -un \
    >"$T/asked"
jq -r .id "$T/out" | sort -n >"$T/written"
ok [ -s "$T/asked" ] || fail "nothing asked"
ok cmp -s "$T/asked" "$T/written" || fail "asked and written differ: \
$(diff "$T/asked" "$T/written" | head -5)"
# Some were cut short by the money: each says so, with what it paid for.
n=$(jq -r 'select(.error.type == "max_cost") | .id' "$T/out" | wc -l)
ok [ "$n" -ge 1 ] || fail "no row cut short by the money: $(cat "$T/err")"
assert_eq "$(jq -c 'select(.error.type == "max_cost") |
    [.error.answer, (._meta.prompt_tokens > 0), (._meta.cost_usd > 0)]' \
    "$T/out" | sort -u)" '["bad",true,true]' "a row cut short"
# Counted: the run's tokens and dollars are its rows'.
assert_eq "$(jq .prompt_tokens "$T/st")" \
    "$(jq -s '[.[]._meta.prompt_tokens] | add' "$T/out")" "tokens in"
near "$(jq .cost_usd "$T/st")" \
    "$(jq -s '[.[]._meta.cost_usd] | add' "$T/out")" "dollars"
assert_eq "$(jq .rows_failed "$T/st")" "$n" "rows failed"
assert_grep "$(wc -l <"$T/out" | tr -d ' ') rows done" "$T/err"
