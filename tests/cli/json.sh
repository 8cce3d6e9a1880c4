# --json: the answer is a JSON object whose fields join the row; --meta
# adds what each row cost.
. "$(dirname "$0")/../lib.sh"
mock_start --answer json

printf '%s\n' '{"id":1,"text":"alpha","len":"old"}' '{"text":"b"}' >"$T/in"
"$ENRICH" -u "$URL" --json -P 'response_format={"type":"json_object"}' \
    -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(sort "$T/out")" "$(printf '%s\n' \
    '{"id":1,"text":"alpha","len":5,"echo":"alpha"}' \
    '{"text":"b","id":2,"echo":"b","len":1}')"
assert_status 2 "$ENRICH" -u "$URL" --json -o x -p x <"$T/in" 2>/dev/null

# The mock echoes: a prompt that is JSON is the answer.  Fences are
# dropped; the last of duplicate keys wins; not an object, or an answer
# that would set the row's ID, is a parse error.
mock_stop
mock_start
printf '%s\n' \
    '{"id":1,"q":"{\"service\":\"S3\",\"severity\":\"high\"}"}' \
    '{"id":2,"q":"```json\n{\"a\":1,\"a\":2}\n```"}' \
    '{"id":3,"q":"[1,2]"}' '{"id":4,"q":"not json"}' \
    '{"id":5,"q":"{\"id\":9}"}' '{"id":6,"q":"{}"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" --json -p '{{q}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c 'select(.id == 1) | [.service, .severity]' "$T/out")" '["S3","high"]'
assert_eq "$(jq -c 'select(.id == 2) | .a' "$T/out")" 2
assert_eq "$(grep -c '"a":' "$T/out")" 1
assert_eq "$(jq -r 'select(.error) | "\(.id):\(.error.type):\(.error.attempts)"' "$T/out" | sort | tr '\n' ' ')" \
    '3:invalid_answer:3 4:invalid_answer:3 5:invalid_answer:3 '
# --reask 0: failed at once, the answer kept in the error record.
assert_status 1 "$ENRICH" -u "$URL" --json --reask 0 -p '{{q}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.error) | "\(.id):\(.error.type):\(.error.attempts):\(.error.answer)"' "$T/out" | sort | tr '\n' ' ')" \
    '3:invalid_answer:1:[1,2] 4:invalid_answer:1:not json 5:invalid_answer:1:{"id":9} '
assert_grep 'row 5: invalid_answer: the answer sets "id", a field the row keeps for itself' "$T/err"
assert_eq "$(jq -c 'select(.id == 6) | keys' "$T/out")" '["id","q"]'

# --meta, on successes and failures.
printf '%s\n' '{"id":1,"q":"x"}' '{"id":2,"q":"[[status-once:500]] y"}' \
    '{"id":3,"q":"[[status:400]]"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" --meta -p '{{q}}' <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -c 'select(.id == 1) | ._meta | [.attempts, .latency_ms >= 0, .prompt_tokens > 0, .completion_tokens > 0]' "$T/out")" \
    '[1,true,true,true]'
assert_eq "$(jq -c 'select(.id == 2) | ._meta.attempts' "$T/out")" 2
assert_eq "$(jq -c 'select(.id == 3) | [._meta.attempts, ._meta.prompt_tokens, .error.status]' "$T/out")" \
    '[1,null,400]'

# With --meta, an answer that sets "_meta" would write two: refused too.
printf '%s\n' '{"id":1,"q":"{\"_meta\":1,\"a\":2}"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" --json --meta -p '{{q}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'the answer sets "_meta"' "$T/err"
assert_eq "$(grep -o '"_meta"' "$T/out" | wc -l | tr -d ' ')" 1
