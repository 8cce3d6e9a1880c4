# Dollars: each answer's cost from its usage (cached prompt tokens at the
# cached price) in _meta, the summary and --stats-json; the price table
# by model; --max-cost stops with status 4, never spending more, with the
# rows not sent left for --skip-ids.
. "$(dirname "$0")/../lib.sh"
mock_start --latency 20

# near A B: the two amounts agree to a millionth of a dollar.
near() {
	[ "$(jq -n --argjson a "$1" --argjson b "$2" \
	    '($a - $b) | fabs < 0.000001')" = true ] ||
	    fail "${3:-cost}: got $1, want $2"
}

# Costs from usage: $2 in, $0.5 cached, $8 out a million tokens.
awk 'BEGIN { for (i = 1; i <= 20; i++) printf "{\"id\":%d,\"text\":\"%s row %d, cached [[cached:%d]]\"}\n",
    i, "a longer prompt with words in it", i, i % 3 * 4 }' >"$T/in"
"$ENRICH" -u "$URL" -p '{{text}}' --meta --price-in 2 --price-out 8 \
    --price-cached-in 0.5 --stats --stats-json "$T/st" <"$T/in" \
    >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(._meta.cached_tokens == (.id % 3 * 4)) | .id' \
    "$T/out" | wc -l)" 20 "cached tokens read from the usage"
assert_eq "$(jq -r '._meta | select((.cost_usd - ((.prompt_tokens -
    .cached_tokens) * 2 + .cached_tokens * 0.5 + .completion_tokens * 8) /
    1000000 | fabs) < 0.000001) | 1' "$T/out" | wc -l)" 20 \
    "rows whose cost is their usage at the prices"
sum=$(jq -s '[.[]._meta | ((.prompt_tokens - .cached_tokens) * 2 +
    .cached_tokens * 0.5 + .completion_tokens * 8) / 1000000] | add' "$T/out")
near "$(jq .cost_usd "$T/st")" "$sum" "--stats-json cost_usd"
assert_eq "$(jq .cached_tokens "$T/st")" \
    "$(jq -s '[.[]._meta.cached_tokens] | add' "$T/out")" "cached tokens"
assert_grep "; cost \$$(printf '%.4f' "$sum")" "$T/err"

# The price table, by model, a dated snapshot priced as its model;
# unknown, tokens only.
printf '%s\n' '# test prices' 'test-model 1.5 - 6 2026-01-01' >"$T/prices"
ENRICH_PRICES=$T/prices "$ENRICH" -u "$URL" -p '{{text}}' --meta -v \
    -m test-model-2026-01-01 --stats-json "$T/st" <"$T/in" >"$T/out" \
    2>"$T/err"
sum=$(jq -s '[.[]._meta | (.prompt_tokens * 1.5 +
    .completion_tokens * 6) / 1000000] | add' "$T/out")
near "$(jq .cost_usd "$T/st")" "$sum" "cost at the table's prices"
assert_grep 'prices: \$1.5 in, \$1.5 cached, \$6 out .*2026-01-01' "$T/err"
ENRICH_PRICES=$T/prices "$ENRICH" -u "$URL" -p '{{text}}' --meta \
    -m unknown-model --stats-json "$T/st" <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq .cost_usd "$T/st")" null "cost of an unknown model"
assert_eq "$(jq -r '._meta.cost_usd' "$T/out" | sort -u)" null \
    "_meta.cost_usd of an unknown model"
# A table that is not one, or is missing, when named.
printf 'test-model 1.5 x 6 2026-01-01\n' >"$T/bad"
ENRICH_PRICES=$T/bad assert_status 2 "$ENRICH" -u "$URL" -p x </dev/null \
    2>"$T/err"
assert_grep "price table $T/bad: line 1: a price" "$T/err"
ENRICH_PRICES=$T/none assert_status 2 "$ENRICH" -u "$URL" -p x </dev/null \
    2>"$T/err"
assert_grep "price table $T/none" "$T/err"
# The shipped table parses, and prices the default model.
ENRICH_PRICES=$ROOT/share/prices "$ENRICH" -v --dry-run -p x </dev/null \
    >/dev/null 2>"$T/err"
assert_grep 'prices: \$0.15 in, \$0.075 cached, \$0.6 out' "$T/err"

# --max-cost without a price is a usage error; with --body too.
ENRICH_PRICES=$T/prices assert_status 2 "$ENRICH" -u "$URL" -p x \
    -m unknown-model --max-cost 1 </dev/null 2>"$T/err"
assert_grep 'max-cost: no prices for model unknown-model' "$T/err"
assert_status 2 "$ENRICH" -u "$URL" --body '{}' --max-cost 1 \
    --price-in 1 --price-out 1 </dev/null 2>"$T/err"
assert_status 2 "$ENRICH" -u "$URL" -p x --max-cost 0 </dev/null 2>"$T/err"
assert_grep 'max-cost 0: dollars above 0' "$T/err"
# It sets a completion limit when none is given, and says so.
"$ENRICH" -v --dry-run -p x --max-cost 1 --price-in 1 --price-out 4 \
    </dev/null 2>"$T/err"
assert_grep 'max_completion_tokens 256' "$T/err"
echo '{"id":1}' | "$ENRICH" --dry-run -p x --max-cost 1 --price-in 1 \
    --price-out 4 -P max_tokens=9 2>/dev/null >"$T/out"
assert_eq "$(jq -c '.request | [.max_tokens, .max_completion_tokens]' \
    "$T/out")" "[9,null]" "a limit given is kept"

# The budget: 1,000 rows at $1 in and $4 out, $0.01 to spend, requests
# in flight when the money runs out.  Never more than $0.01 by the
# written rows' usage, at least 70% of it, status 4, one line.
awk 'BEGIN { for (i = 1; i <= 1000; i++)
    printf "{\"id\":%d,\"text\":\"row %d of the budget test\"}\n", i, i }' \
    >"$T/in"
assert_status 4 "$ENRICH" -u "$URL" -j 16 -p '{{text}}' --meta \
    --max-cost 0.01 --price-in 1 --price-out 4 --stats-json "$T/st" \
    <"$T/in" >"$T/out1" 2>"$T/err"
spent=$(jq -s '[.[]._meta | (.prompt_tokens + .completion_tokens * 4) /
    1000000] | add' "$T/out1")
ok [ "$(jq -n "$spent <= 0.01 and $spent >= 0.007")" = true ] ||
    fail "spent $spent of 0.01"
near "$(jq .cost_usd "$T/st")" "$spent" "the run's cost"
done1=$(wc -l <"$T/out1")
ok [ "$done1" -gt 0 ] && [ "$done1" -lt 1000 ] || fail "rows done: $done1"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out1" | wc -l)" \
    "$done1" "every row written is answered"
assert_grep "enrich: --max-cost: spent \$[0-9.]* of \$0.0100; $done1 rows done, [0-9]* read and not sent" "$T/err"
# Resumed with more money: the rest, none twice.
assert_status 0 "$ENRICH" -u "$URL" -j 16 -p '{{text}}' --meta \
    --max-cost 1 --price-in 1 --price-out 4 --skip-ids "$T/out1" \
    <"$T/in" >"$T/out2" 2>"$T/err"
assert_eq "$(cat "$T/out1" "$T/out2" | jq -r .id | sort -n | uniq | wc -l)" \
    1000 "rows done in the two runs"
assert_eq "$(cat "$T/out1" "$T/out2" | wc -l)" 1000 "rows written in all"

# A budget too small for one request: nothing sent, status 4.
assert_status 4 "$ENRICH" -u "$URL" -p '{{text}}' --max-cost 0.000001 \
    --price-in 1 --price-out 4 <"$T/in" >"$T/out" 2>"$T/err"
ok [ ! -s "$T/out" ] || fail "a row written with no money"
assert_grep 'spent \$0.0000 of \$0.0000; 0 rows done, 1 read and not sent' \
    "$T/err"
