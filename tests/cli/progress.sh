# Progress: a status line on stderr only in a foreground terminal (or with
# --progress), a summary at the end, the terminal left clean, and the same
# figures as JSON with --stats-json.
. "$(dirname "$0")/../lib.sh"
mock_start --latency 50

rows 200 >"$T/in"
# Not a terminal: nothing but the rows.
"$ENRICH" -u "$URL" -j 20 -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
ok [ ! -s "$T/err" ] || fail "stderr is not a terminal, yet: $(cat "$T/err")"

# Asked for: status lines redrawn in place, then the summary.
"$ENRICH" -u "$URL" -j 20 --progress -p '{{text}}' <"$T/in" >/dev/null 2>"$T/err"
# From a file, the total is estimated from the bytes read.
assert_grep '[0-9]/[0-9]* *[0-9]*%  [0-9.]*/s  .*in flight' "$T/err"
assert_grep 'enrich: 200 rows in .* 200 ok, 0 failed, 0 skipped' "$T/err"
# The summary comes on a clean line: the status line was wiped first.
printf '\r\033[Kenrich: 200 rows in' >"$T/pattern"
ok grep -qF -f "$T/pattern" "$T/err" || fail "summary not on a clean line"
"$ENRICH" -u "$URL" --no-progress --progress --no-progress -p '{{text}}' \
    <"$T/in" >/dev/null 2>"$T/err"
ok [ ! -s "$T/err" ] || fail "--no-progress still drew"

# In a terminal (script(1) gives it one), by default; ^C leaves it clean.
script -qec "'$ENRICH' -u '$URL' -j 20 -p '{{text}}' <'$T/in' >'$T/out'" \
    "$T/tty" >/dev/null
assert_grep 'rows in .* 200 ok' "$T/tty"
assert_eq "$(wc -l <"$T/out")" 200

# --stats: the summary without the progress; --stats-json for scripts.
printf '%s\n' '{"id":1,"text":"x [[status-once:500]]"}' '{"id":2,"text":"[[status:400]]"}' \
    '{"id":3,"text":"y"}' >"$T/in2"
printf '{"id":3,"answer":"row 3"}\n' >"$T/done"
assert_status 1 "$ENRICH" -u "$URL" --stats --stats-json "$T/stats.json" \
    --skip-ids "$T/done" -p '{{text}}' <"$T/in2" >/dev/null 2>"$T/err"
assert_grep '2 rows in .*: 1 ok, 1 failed, 1 skipped; 1 retries, 0 429s' "$T/err"
assert_eq "$(jq -c '[.rows_ok, .rows_failed, .rows_skipped, .retries, .http_429, .prompt_tokens > 0, .completion_tokens > 0, .wall_seconds > 0, .rows_per_second > 0]' "$T/stats.json")" \
    '[1,1,1,1,0,true,true,true,true]'
