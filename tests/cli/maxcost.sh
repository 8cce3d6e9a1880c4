# --max-cost is never overspent, though the server counts a chat
# request's framing in its prompt_tokens (a few tokens a message, which
# no byte count of the prompt sees) and many requests reserve at once,
# before any answer says what the real count is.
. "$(dirname "$0")/../lib.sh"
# OpenAI's framing: 3 tokens a message, 3 for the reply.  Short rows, so
# that the framing is most of each prompt.
mock_start --frame-tokens 3 --latency 50
rows 200 >"$T/in"

# $1 a token in and out: dollars are tokens.
spend() {
	set +e
	"$ENRICH" -u "$URL" -p '{{text}}' -P max_tokens=5 --price-in 1000000 \
	    --price-out 1000000 --stats-json "$T/st" "$@" <"$T/in" \
	    >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	set -e
}

# 50 in flight at once, the first 50 reserved before any answer.
spend -j 50 --max-cost 100
assert_eq "$(cat "$T/rc")" 4 "exit status: $(cat "$T/err")"
spent=$(jq .cost_usd "$T/st")
awk -v s="$spent" 'BEGIN { exit !(s <= 100) }' ||
    fail "spent \$$spent of \$100: $(cat "$T/err")"
# And what the server counted is what was counted: tokens are dollars.
assert_eq "$(jq '.prompt_tokens + .completion_tokens' "$T/st")" \
    "$(jq '.cost_usd | floor' "$T/st")" "tokens against dollars"
# Not stopped far short either: a row costs $10 here (8 in, 2 out).
ok [ "$(wc -l <"$T/out")" -ge 5 ] || fail "only $(wc -l <"$T/out") rows for \$100"
assert_grep 'spent \$[0-9.]* of \$100' "$T/err"

# The same with a budget room for all: every row, the same total.
spend -j 50 --max-cost 100000
assert_eq "$(cat "$T/rc")" 0 "exit status, room for all"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 200 "rows, room for all"

# One at a time, the ratio learnt from the first answer: close to the cap,
# never over it.
spend -j 1 --max-cost 100
assert_eq "$(cat "$T/rc")" 4 "exit status, -j 1"
spent=$(jq .cost_usd "$T/st")
awk -v s="$spent" 'BEGIN { exit !(s <= 100 && s >= 80) }' ||
    fail "-j 1: spent \$$spent of \$100"
