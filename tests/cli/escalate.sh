# --escalate MODEL --below P: a row whose answer is less sure than P, or
# that failed as invalid_answer after its re-asks, is asked once more of
# MODEL and written once, with that answer; _meta says which model
# answered and what each cost, --stats the rows escalated and each
# model's dollars; --cache, rows that ask the same, --max-cost and
# --estimate count the second model too.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"
# The two models' prices, in a table of the test's own.
printf 'small 0.15 - 0.60 2025-01-01\nbig 2.50 - 10.00 2025-01-01\n' \
    >"$T/prices"
export ENRICH_PRICES="$T/prices"
# Requests of a model in the mock's log.
asked() {
	jq -r '(.body | fromjson).model' "$T/log" | grep -cx "$1" || true
}

# The done-when: 400 rows with a gold field; "small" is right with 0.97
# on 360 of them and wrong with 0.55 on the other 40; "big" always right.
awk 'BEGIN { for (i = 1; i <= 400; i++) printf "{\"id\":%d,\"gold\":\"cat\"," \
    "\"text\":\"row %d [[as:small=%s]] [[as:big=cat]]\"}\n", i, i,
    i % 10 == 0 ? "dog@0.55" : "cat@0.97" }' >"$T/in"
"$ENRICH" -u "$URL" -m small --expect gold --stats-json "$T/stats" \
    -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -c '.expect | [.accuracy, .rows]' "$T/stats")" '[0.9,400]'
: >"$T/log"
"$ENRICH" -u "$URL" -m small --expect gold --confidence --escalate big \
    --below 0.8 --meta --stats --stats-json "$T/stats" -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 400
assert_eq "$(jq -r .answer "$T/out" | sort -u)" cat
assert_eq "$(jq -c '.expect | [.accuracy, .rows, .agree]' "$T/stats")" '[1,400,400]'
assert_eq "$(asked big)" 40
assert_eq "$(asked small)" 400
# _meta: the model that answered; for the 40, what small said and took.
assert_eq "$(jq -r 'select(._meta.model == "big") | .id' "$T/out" | sort -n | paste -s -d ' ' -)" \
    "$(seq 10 10 400 | paste -s -d ' ' -)"
assert_eq "$(jq -c 'select(.id == 10) | ._meta.escalated | [.model, .because, .confidence]' "$T/out")" \
    '["small","confidence",0.55]'
assert_eq "$(jq -c 'select(.id == 11) | [._meta.model, ._meta.escalated, .confidence]' "$T/out")" \
    '["small",null,0.97]'
# Each attempt's dollars: small's 11 prompt tokens and 1 completion token
# at its prices, then big's at its own.
grep '"id":10,' "$T/out" >"$T/row10"
assert_grep '"cost_usd":0.000037,"model":"big","escalated":{.*"cost_usd":0.000002}' "$T/row10"
assert_eq "$(jq -c '[.escalated, (.models[] | .model)]' "$T/stats")" '[40,"small","big"]'
awk -v a="$(jq '.models[0].cost_usd' "$T/stats")" \
    -v b="$(jq '.models[1].cost_usd' "$T/stats")" \
    -v t="$(jq .cost_usd "$T/stats")" \
    'BEGIN { exit !(a > 0 && b > 0 && a + b - t < 1e-6 && t - a - b < 1e-6) }' ||
    fail "each model's dollars do not add up: $(cat "$T/stats")"
assert_grep '; 40 escalated to big; cost \$[0-9.]* (small \$[0-9.]*, big \$[0-9.]*)$' "$T/err"
# -v says why each row is asked again.
"$ENRICH" -u "$URL" -m small --confidence --escalate big --below 0.8 -v \
    -p '{{text}}' <"$T/in" >/dev/null 2>"$T/err"
assert_grep '^enrich: row 10: confidence 0.5500, under --below; asking big$' "$T/err"

# After its re-asks, an invalid answer goes to big, which is asked once:
# its invalid answer fails the row, not asked again.
printf '%s\n' '{"id":1,"text":"a [[as:small=mouse]] [[as:big=dog]]"}' \
    '{"id":2,"text":"b [[as:small=mouse]] [[as:big=horse]]"}' \
    '{"id":3,"text":"c [[as:small=cat]] [[as:big=dog]]"}' >"$T/in2"
: >"$T/log"
assert_status 1 "$ENRICH" -u "$URL" -m small --labels cat,dog --reask 1 \
    --escalate big --meta -p '{{text}}' <"$T/in2" >"$T/out" 2>/dev/null
assert_eq "$(jq -c '[.id, .answer, ._meta.model, ._meta.escalated.because, .error.type, ._meta.attempts]' "$T/out" | sort | tr '\n' ' ')" \
    '[1,"dog","big","invalid_answer",null,3] [2,null,"big","invalid_answer","invalid_answer",3] [3,"cat","small",null,null,1] '
assert_eq "$(asked small)" 5
assert_eq "$(asked big)" 2

# Rows that ask the same share one request of each model.
printf '%s\n' '{"id":1,"text":"same [[as:small=dog@0.5]] [[as:big=cat]]"}' \
    '{"id":2,"text":"same [[as:small=dog@0.5]] [[as:big=cat]]"}' \
    '{"id":3,"text":"same [[as:small=dog@0.5]] [[as:big=cat]]"}' >"$T/in3"
: >"$T/log"
"$ENRICH" -u "$URL" -m small --confidence --escalate big --below 0.8 \
    --meta -p '{{text}}' <"$T/in3" >"$T/out"
assert_eq "$(jq -c '[.answer, ._meta.model]' "$T/out" | sort -u)" '["cat","big"]'
assert_eq "$(asked small) $(asked big)" '1 1'

# --cache keeps both models' answers: a second run sends nothing; a run
# without --escalate first, then with it, asks big only.
"$ENRICH" -u "$URL" -m small --confidence --escalate big --below 0.8 \
    --cache "$T/cache" -p '{{text}}' <"$T/in" >"$T/out1"
: >"$T/log"
"$ENRICH" -u "$URL" -m small --confidence --escalate big --below 0.8 \
    --cache "$T/cache" --meta -p '{{text}}' <"$T/in" >"$T/out2"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 0 "requests of a cached run"
assert_eq "$(jq -r .answer "$T/out2" | sort -u)" cat
assert_eq "$(jq -r 'select(._meta.model == "big") | ._meta.cached' "$T/out2" | sort | uniq -c | tr -s ' ')" ' 40 true'
"$ENRICH" -u "$URL" -m small --confidence --cache "$T/cache2" \
    -p '{{text}}' <"$T/in" >/dev/null
: >"$T/log"
"$ENRICH" -u "$URL" -m small --confidence --escalate big --below 0.8 \
    --cache "$T/cache2" -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(asked small) $(asked big)" '0 40'
assert_eq "$(jq -r .answer "$T/out" | sort -u)" cat

# --max-cost: a row's first request holds the escalation's worst case as
# well, so a cap that fits small's alone but not both sends nothing; one
# that fits both runs through within it.  --estimate adds the worst case.
head -n 20 "$T/in" >"$T/in20"
: >"$T/log"
assert_status 4 "$ENRICH" -u "$URL" -m small --confidence --escalate big \
    --below 0.8 -P max_completion_tokens=10 --max-cost 0.0001 \
    -p '{{text}}' <"$T/in20" >"$T/out" 2>/dev/null
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 0
"$ENRICH" -u "$URL" -m small --confidence --escalate big --below 0.8 \
    -P max_completion_tokens=10 --max-cost 0.01 --stats-json "$T/stats" \
    -p '{{text}}' <"$T/in20" >"$T/out"
assert_eq "$(wc -l <"$T/out" | tr -d ' ') $(jq .escalated "$T/stats")" '20 2'
"$ENRICH" -m small --confidence --escalate big --below 0.8 \
    -P max_completion_tokens=10 --estimate -p '{{text}}' <"$T/in20" >"$T/est"
assert_grep '^escalation         to big: at most \$0\.00[0-9]* more, were every row asked again$' "$T/est"

# Anthropic gives no logprobs: invalid answers only, and --below refused.
export ANTHROPIC_API_KEY=k
: >"$T/log"
assert_status 1 "$ENRICH" --anthropic -u "$URL" -m small --labels cat,dog \
    --reask 0 --escalate big --meta -p '{{text}}' <"$T/in2" >"$T/out" \
    2>/dev/null
assert_eq "$(jq -c '[.id, .answer, ._meta.model]' "$T/out" | sort | tr '\n' ' ')" \
    '[1,"dog","big"] [2,null,"big"] [3,"cat","small"] '
assert_status 2 "$ENRICH" --anthropic -m small --escalate big --below 0.5 \
    --confidence --labels a,b -p x </dev/null 2>"$T/err"
assert_grep 'Anthropic.s Messages API gives no logprobs' "$T/err"

# Usage.
assert_status 2 "$ENRICH" --below 0.5 --confidence -p x </dev/null 2>"$T/err"
assert_grep '^enrich: --below says which rows --escalate asks again' "$T/err"
assert_status 2 "$ENRICH" --escalate big --below 0.5 -p x </dev/null 2>"$T/err"
assert_grep '^enrich: --below reads the answers. probability: give --confidence' "$T/err"
assert_status 2 "$ENRICH" -m big --escalate big --labels a,b -p x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --escalate big -p x </dev/null 2>"$T/err"
assert_grep '^enrich: --escalate: no row can need it' "$T/err"
assert_status 2 "$ENRICH" --escalate big --labels a,b --batch-api "$T/st" \
    -p x </dev/null 2>"$T/err"
assert_grep '^enrich: --escalate: real time only' "$T/err"
assert_status 2 "$ENRICH" --escalate big --body '{}' </dev/null 2>/dev/null
for bad in 0 1.5 abc -1; do
	assert_status 2 "$ENRICH" --escalate big --confidence --below "$bad" \
	    -p x </dev/null 2>"$T/err"
	assert_grep "^enrich: --below $bad: a probability" "$T/err"
done
assert_status 2 "$ENRICH" -m small --escalate big --confidence --below 0.5 \
    --max-cost 1 -p x </dev/null 2>/dev/null
