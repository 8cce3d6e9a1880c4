# An answer without usage (some gateways and local servers send none) was
# paid for all the same: it is counted at one figure, its estimate, the
# same in _meta, the summary, --stats-json and --max-cost, and marked as
# an estimate everywhere it is shown.
. "$(dirname "$0")/../lib.sh"
mock_start

# near A B: the two amounts agree to a millionth of a dollar.
near() {
	[ "$(jq -n --argjson a "$1" --argjson b "$2" \
	    '($a - $b) | fabs < 0.000001')" = true ] ||
	    fail "${3:-cost}: got $1, want $2"
}

# Row 1 answered without usage, rows 2 and 3 with.  $1 a token.
printf '%s\n' '{"id":1,"text":"no usage here [[no-usage]]"}' \
    '{"id":2,"text":"with usage"}' '{"id":3,"text":"with usage too"}' \
    >"$T/in"
for budget in "" "--max-cost 1000"; do
	"$ENRICH" -u "$URL" -p '{{text}}' -P max_tokens=10 --meta --stats \
	    --price-in 1000000 --price-out 1000000 --stats-json "$T/st" \
	    $budget <"$T/in" >"$T/out" 2>"$T/err"
	est=$(jq 'select(.id == 1) | ._meta.cost_usd' "$T/out")
	# The estimate: the prompt as --max-cost estimates it (its bytes / 4
	# rounded up, and 16 of framing), the answer's bytes / 4 rounded up.
	p=$(printf 'no usage here [[no-usage]]' | wc -c)
	a=$(printf '"no usage here [[no-usage]]"' | wc -c)
	near "$est" "$(( (p + 3) / 4 + 16 + (a + 3) / 4 ))" \
	    "the estimate$budget"
	assert_eq "$(jq -c 'select(.id == 1) | ._meta |
	    [.prompt_tokens, .completion_tokens, .cost_estimated]' "$T/out")" \
	    '[null,null,true]' "_meta of the answer without usage$budget"
	assert_eq "$(jq -c 'select(.id != 1) | ._meta.cost_estimated' \
	    "$T/out" | sort -u)" null "_meta of answers with usage$budget"
	# One figure: _meta's, summed, is the run's, and the estimated part
	# is said.
	near "$(jq .cost_usd "$T/st")" \
	    "$(jq -s '[.[]._meta.cost_usd] | add' "$T/out")" \
	    "--stats-json cost_usd$budget"
	near "$(jq .cost_estimated_usd "$T/st")" "$est" \
	    "--stats-json cost_estimated_usd$budget"
	assert_grep "cost \$[0-9.]* (\$$(printf '%.4f' "$est") of it estimated" \
	    "$T/err"
done
