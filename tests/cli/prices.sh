# The price table is found without `make install`: $ENRICH_PRICES if set,
# else the checkout the binary was built in (share/prices beside it, or
# two levels up as for build/san), else the installed one.  --stats shows
# the cost for a model in it; for one that is not, it says why, once.
. "$(dirname "$0")/../lib.sh"
mock_start
rows 5 >"$T/in"

# This checkout's binary, as built, with its own table: the default model
# is priced, no environment needed.
unset ENRICH_PRICES
"$ENRICH" -u "$URL" --stats -p '{{text}}' <"$T/in" >/dev/null 2>"$T/err"
assert_grep '; cost \$0\.0' "$T/err"
assert_no_grep 'cost unknown' "$T/err"
# A model the table lacks: said once, in the summary.
"$ENRICH" -u "$URL" --stats -m no-such-model -p '{{text}}' <"$T/in" \
    >/dev/null 2>"$T/err"
assert_eq "$(grep -c 'cost unknown' "$T/err")" 1
assert_grep '; cost unknown: no price for no-such-model$' "$T/err"
# --body names its model in each request.
"$ENRICH" -u "$URL" --stats --body '{"model":"m","messages":[{"role":"user","content":"{{text}}"}]}' \
    <"$T/in" >/dev/null 2>"$T/err"
assert_grep '; cost unknown: the requests name their own model: give --price-in and --price-out$' "$T/err"

# A checkout of our own: its table is the one read, from the binary's own
# directory or two above it; $ENRICH_PRICES still wins.
mkdir -p "$T/tree/share" "$T/tree/man" "$T/tree/build/san"
cp "$ENRICH" "$T/tree/enrich"
cp "$ENRICH" "$T/tree/build/san/enrich"
: >"$T/tree/man/enrich.1"
printf 'tree-model 1000 - 1000 2026-01-01\n' >"$T/tree/share/prices"
printf 'tree-model 2000 - 2000 2026-01-01\n' >"$T/env-prices"
for bin in "$T/tree/enrich" "$T/tree/build/san/enrich"; do
	"$bin" -u "$URL" --stats-json "$T/st" -m tree-model -p '{{text}}' \
	    <"$T/in" >"$T/out" 2>/dev/null
	tokens=$(jq '.prompt_tokens + .completion_tokens' "$T/st")
	assert_eq "$(jq --argjson t "$tokens" '.cost_usd * 1000 / $t | round' \
	    "$T/st")" 1 "dollars a token from the tree's table ($bin)"
	ENRICH_PRICES=$T/env-prices "$bin" -u "$URL" --stats-json "$T/st" \
	    -m tree-model -p '{{text}}' <"$T/in" >"$T/out" 2>/dev/null
	assert_eq "$(jq --argjson t "$tokens" '.cost_usd * 1000 / $t | round' \
	    "$T/st")" 2 "dollars a token from \$ENRICH_PRICES ($bin)"
	"$bin" -u "$URL" -v --dry-run -m other -p x </dev/null \
	    >/dev/null 2>"$T/err"
	assert_grep "prices: no price for other in $T/tree/share/prices" \
	    "$T/err"
done
# Without man/enrich.1 beside it, a share/prices is not a checkout's.
rm "$T/tree/man/enrich.1"
"$T/tree/enrich" -u "$URL" --stats -m tree-model -p '{{text}}' <"$T/in" \
    >/dev/null 2>"$T/err"
assert_grep 'cost unknown: no price' "$T/err"

# A binary outside any checkout: the installed table if there is one, and
# if not, the summary says that there is none and where it looked.
mkdir "$T/lone"
cp "$ENRICH" "$T/lone/enrich"
"$T/lone/enrich" -u "$URL" --stats -p '{{text}}' <"$T/in" >/dev/null \
    2>"$T/err"
if grep -q 'cost unknown' "$T/err"; then
	assert_grep '; cost unknown: no price table (none in a checkout beside enrich, no $ENRICH_PRICES, nothing installed at /.*/prices)$' "$T/err"
else
	assert_grep '; cost \$0\.0' "$T/err"
fi
