# Exit status: 0 when every row succeeded, 1 when any failed, 3 when the run
# stopped because no row could succeed (401, 404), with one line naming it.
. "$(dirname "$0")/../lib.sh"
mock_start --reject-model gone --path /v1/chat/completions

rows 5 >"$T/in"
assert_status 0 "$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" >"$T/out"
assert_status 0 "$ENRICH" -u "$URL" -p '{{text}}' </dev/null >"$T/out"
ok [ ! -s "$T/out" ] || fail "output from empty input"

printf '{"id":1,"t":"ok"}\n{"id":2,"t":"[[status:400]]"}\n' >"$T/in2"
assert_status 1 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in2" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c 'select(.id == 2) | .error' "$T/out")" \
    '{"type":"http","status":400,"message":"mock status 400","attempts":1}'
assert_grep '^enrich: row 2: HTTP 400: mock status 400$' "$T/err"

# A model that does not exist: 404 stops the run with status 3.
rows 50 >"$T/in3"
assert_status 3 "$ENRICH" -u "$URL" -m gone -j 2 -p '{{text}}' <"$T/in3" \
    >"$T/out" 2>"$T/err"
assert_grep 'HTTP 404' "$T/err"
assert_grep 'gone' "$T/err"
ok [ "$(wc -l <"$T/out")" -lt 50 ] || fail "the run did not stop"
# A wrong path is a 404 too.
assert_status 3 "$ENRICH" -u "http://127.0.0.1:$PORT/nope" -p '{{text}}' \
    <"$T/in3" >"$T/out" 2>"$T/err"
assert_grep 'check --url' "$T/err"

# A wrong key: 401, status 3.
mock_stop
mock_start --require-key right
OPENAI_API_KEY=wrong assert_status 3 "$ENRICH" -u "$URL" -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'HTTP 401' "$T/err"
ok [ ! -s "$T/out" ] || fail "rows written after a 401"

# An unwritable --stats-json is found before any request is sent: status 2.
mock_stop
mock_start --log "$T/log"
assert_status 2 "$ENRICH" -u "$URL" --stats-json "$T/no/such/dir/s.json" \
    -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'stats-json' "$T/err"
ok [ ! -s "$T/out" ] || fail "rows sent before the --stats-json error"
ok [ ! -s "$T/log" ] || fail "requests sent: $(cat "$T/log")"
