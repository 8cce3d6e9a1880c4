# The README's way to keep a resume file tidy: after a run with failures
# and a resume that answers them, the checkpoint holds two lines for
# those IDs; the README's jq one-liner, run as written there, leaves one
# line per ID, the last, in the order the IDs came, and a resume from it
# sends nothing.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"
: >>"$T/log"

awk 'BEGIN { for (i = 1; i <= 10; i++)
    printf "{\"id\":%d,\"text\":\"%srow %d\"}\n", i,
    i == 3 || i == 7 ? "[[status-once:400]] " : "", i }' >"$T/in"
cd "$T"
"$ENRICH" -u "$URL" -p '{{text}}' <in 2>/dev/null | tee -a done.jsonl >/dev/null ||
    true
assert_eq "$(jq -r 'select(.error) | .id' done.jsonl | paste -s -d ' ' -)" \
    "3 7" "failed in the first run"
"$ENRICH" -u "$URL" -p '{{text}}' --skip-ids done.jsonl <in |
    tee -a done.jsonl >/dev/null
assert_eq "$(wc -l <done.jsonl | tr -d ' ')" 12 "lines after the resume"

# The one-liner, taken from the README: the fenced block after the words
# that introduce it.
awk '/^Keep the last line of each ID/ { on = 1 } on && /^```sh/ { c = 1; next }
    c && /^```/ { exit } c { print }' "$ROOT/README.md" >tidy.sh
ok grep -q 'reduce inputs' tidy.sh || fail "no one-liner in the README: $(cat tidy.sh)"
# Rows are written as they finish: the order is done.jsonl's own.
first=$(jq -r .id done.jsonl | awk '!seen[$0]++' | paste -s -d ' ' -)
sh tidy.sh
assert_eq "$(jq -r .id done.jsonl | paste -s -d ' ' -)" "$first" \
    "one line per ID, in the order each first came"
assert_eq "$(jq -r 'select(.error == null and .answer) | .id' done.jsonl |
    wc -l | tr -d ' ')" 10 "each the last, answered"
assert_eq "$(jq -r 'select(.id == 3) | .answer' done.jsonl)" \
    "[[status-once:400]] row 3"
# The same in the man page.
grep -q "reduce inputs as \$r ({}; .\[\$r.id | tostring\] = \$r) | .\[\]'" \
    "$ROOT/man/enrich.1" || fail "the man page's one-liner differs"

# Nothing left to do.
before=$(wc -l <"$T/log")
"$ENRICH" -u "$URL" -p '{{text}}' --skip-ids done.jsonl <in >again
ok [ ! -s again ] || fail "sent again: $(cat again)"
assert_eq "$(wc -l <"$T/log")" "$before" "requests after tidying"
