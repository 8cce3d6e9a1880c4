# --batch-api rows claimed as in real time (issue 22): duplicates uploaded
# once, --cache answering a re-run without an upload, cost at the Batch
# price everywhere, --max-cost stopping under the cap and --skip-ids
# completing every row exactly once.
. "$(dirname "$0")/../lib.sh"
export OPENAI_API_KEY=sk-test

rm -f "$T/log"
mock_start --log "$T/log"

count() {
	jq -r --arg m "$1" --arg p "$2" \
	    'select(.method == $m and (.path | test($p))) | .path' "$T/log" |
	    wc -l | tr -d ' '
}

# The request lines of every upload the mock saw.
uploaded() {
	jq -r 'select(.path | test("/files$")) | .body' "$T/log" |
	    grep -c '^{"custom_id"' || true
}

run() {
	"$ENRICH" --batch-api "$T/st" --batch-poll 1 -u "$URL" -p '{{text}}' \
	    "$@" <"$T/in"
}

# 200 rows holding 50 distinct texts: 50 lines uploaded, 200 written,
# each with its own row's answer; 150 shared.
awk 'BEGIN { for (i = 1; i <= 200; i++)
    printf "{\"id\":%d,\"text\":\"text %d\"}\n", i, i % 50 }' >"$T/in"
run --cache "$T/cache" --stats-json "$T/stats" >"$T/out" 2>"$T/err"
assert_eq "$(uploaded)" 50 "lines uploaded"
# A row made again from its spool is not a duplicate of itself.
assert_no_grep "duplicate ID" "$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 200 "rows written"
assert_eq "$(jq -r .id "$T/out" | sort -n | uniq | wc -l | tr -d ' ')" 200
assert_eq "$(jq -r 'select(.answer != .text) | .id' "$T/out" | wc -l |
    tr -d ' ')" 0 "rows without their own answer"
assert_eq "$(jq .shared "$T/stats")" 150 "shared"
assert_eq "$(count POST 'chat/completions')" 0 "real-time requests"
# The same --cache, a new STATE: nothing uploaded, the same 200 rows.
rm -rf "$T/st" "$T/st.d"
: >"$T/log"
run --cache "$T/cache" --stats-json "$T/stats" >"$T/out2" 2>"$T/err"
assert_eq "$(count POST '/files$')" 0 "uploads with --cache"
assert_eq "$(count POST '/batches$')" 0 "batches with --cache"
assert_eq "$(jq .cache_hits "$T/stats")" 200 "cache hits"
sort "$T/out" >"$T/a"
sort "$T/out2" >"$T/b"
ok cmp -s "$T/a" "$T/b" || fail "a cached re-run wrote other rows"

# Cost at the Batch price: half of what the tokens cost in real time, the
# same in --stats-json and the sum of the rows' _meta.cost_usd.
rm -rf "$T/st" "$T/st.d"
rows 40 >"$T/in"
run --price-in 2 --price-out 4 --meta --stats-json "$T/stats" >"$T/out" \
    2>"$T/err"
assert_eq "$(jq -r '.prompt_tokens > 0 and .completion_tokens > 0' \
    "$T/stats")" true "tokens counted"
assert_eq "$(jq -r '(.prompt_tokens * 2 + .completion_tokens * 4) / 1e6 / 2 |
    . * 1e6 | round' "$T/stats")" "$(jq -r '.cost_usd * 1e6 | round' \
    "$T/stats")" "cost_usd at half the real-time price"
assert_eq "$(jq -s 'map(._meta.cost_usd) | add * 1e6 | round' "$T/out")" \
    "$(jq -r '.cost_usd * 1e6 | round' "$T/stats")" \
    "the rows' _meta.cost_usd summed"
# Real time, for the same rows: twice as much.
"$ENRICH" -u "$URL" -p '{{text}}' --price-in 2 --price-out 4 \
    --stats-json "$T/rt" <"$T/in" >/dev/null 2>&1
assert_eq "$(jq -r '.cost_usd * 1e6 | round' "$T/rt")" \
    "$(jq -r '.cost_usd * 2e6 | round' "$T/stats")" "real time's price"

# --max-cost at Batch prices: a run waits for its batches to give back
# what their rows held (and to teach the budget what prompts come to)
# while less than half the cap is spent, so it stops with 4 near the cap:
# at least half of it, never more; runs with --skip-ids (and the same
# STATE) complete every row exactly once.  The rows are long, and
# max_tokens covers their answers (the mock echoes the prompt and does
# not cut at max_tokens), so that a row's worst case is near its cost.
rm -rf "$T/st" "$T/st.d"
awk 'BEGIN { for (i = 1; i <= 90; i++) {
    printf "{\"id\":%d,\"text\":\"row %d", i, i
    for (k = 0; k < 190; k++) printf "x"
    printf "\"}\n" } }' >"$T/in"
: >"$T/out"
: >"$T/log"
k=0
while :; do
	k=$((k + 1))
	[ $k -le 8 ] || fail "--max-cost never completed"
	set +e
	run --max-cost 1500 --price-in 1000000 --price-out 1000000 \
	    -P max_tokens=60 --skip-ids "$T/out" >>"$T/out" 2>"$T/err"
	status=$?
	set -e
	[ $status -eq 0 ] && break
	assert_eq "$status" 4 "exit status under --max-cost"
	spent=$(sed -n 's/.*spent \$\([0-9.]*\) of \$1500.*/\1/p' "$T/err")
	ok [ -n "$spent" ] || fail "no spending said: $(cat "$T/err")"
	awk -v s="$spent" 'BEGIN { exit !(s <= 1500) }' ||
	    fail "spent $spent of 1500"
	awk -v s="$spent" 'BEGIN { exit !(s >= 750) }' ||
	    fail "spent $spent of 1500: stopped far under the cap"
done
ok [ $k -ge 3 ] || fail "--max-cost did not stop two runs"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 90 "rows after --max-cost runs"
assert_eq "$(jq -r .id "$T/out" | sort -n | uniq | wc -l | tr -d ' ')" 90
assert_eq "$(jq -r 'select(.answer != .text) | .id' "$T/out" | wc -l |
    tr -d ' ')" 0 "rows without their own answer"
assert_eq "$(uploaded)" 90 "lines uploaded, each once"

# Rows that follow a parked row hold no money: 120 rows asking one thing
# go in one run under a cap that 40 distinct rows would pass.
rm -rf "$T/st" "$T/st.d"
: >"$T/log"
awk 'BEGIN { for (i = 1; i <= 120; i++)
    printf "{\"id\":%d,\"text\":\"the same\"}\n", i }' >"$T/in"
run --max-cost 700 --price-in 1000000 --price-out 1000000 -P max_tokens=8 \
    >"$T/out" 2>"$T/err" || fail "duplicates under --max-cost: $(cat "$T/err")"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 120 "duplicates written"
assert_eq "$(uploaded)" 1 "duplicates uploaded"
