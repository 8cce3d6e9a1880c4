# OpenAI Batch files, run now: --batch-input sends each line's body to its
# url, --batch-output writes Batch output lines, and --skip-ids reads them
# back so a resume redoes the failures.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

cat >"$T/in" <<'IN'
{"custom_id":"r1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"first"}]}}
{"custom_id":"r2","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"[[status:400]]"}]}}
{"custom_id":"r3","method":"POST","url":"/v1/embeddings","body":{"model":"e","input":"third"}}
{"custom_id":"r4","method":"GET","url":"/v1/chat/completions","body":{}}
{"custom_id":"r5","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"[[drop]]"}]}}
IN
assert_status 1 "$ENRICH" --batch-input --batch-output -r 0 -u "$URL" \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(wc -l <"$T/out")" 5
# The body went as it was, to the line's url after --url (one /v1).
assert_eq "$(jq -r .path "$T/log" | sort | tr '\n' ' ')" \
    '/v1/chat/completions /v1/chat/completions /v1/chat/completions /v1/embeddings '
assert_eq "$(jq -r 'select(.path == "/v1/embeddings") | .body' "$T/log")" \
    '{"model":"e","input":"third"}'
r() { jq -c --arg id "$1" "select(.custom_id == \$id) | $2" "$T/out"; }
assert_eq "$(r r1 '[.id, .response.status_code, .response.request_id != null, .response.body.choices[0].message.content, .error]')" \
    '["batch_req_1",200,true,"first",null]'
assert_eq "$(r r2 '[.response.status_code, .response.body.error.message, .error]')" \
    '[400,"mock status 400",null]'
assert_eq "$(r r3 '.response.body.data[0].embedding | length')" 8
assert_eq "$(r r4 '[.response, .error.code]')" '[null,"input"]'
assert_eq "$(r r5 '[.response, .error.code]')" '[null,"network"]'

# Resume from that output: r1 and r3 are done; the others run again.
: >"$T/log"
"$ENRICH" --batch-input --batch-output -r 0 -u "$URL" --skip-ids "$T/out" \
    <"$T/in" >"$T/out2" 2>/dev/null || true
assert_eq "$(jq -r .custom_id "$T/out2" | sort | tr '\n' ' ')" 'r2 r4 r5 '

# Without --batch-output: the request line with its answer added.
head -1 "$T/in" | "$ENRICH" --batch-input -u "$URL" >"$T/out"
assert_eq "$(jq -r .answer "$T/out")" first
# Batch output from ordinary rows: custom_id is the row's ID.
echo '{"id":"a1","text":"hi"}' | "$ENRICH" --batch-output -u "$URL" -p '{{text}}' >"$T/out"
assert_eq "$(jq -c '[.custom_id, .response.body.choices[0].message.content]' "$T/out")" '["a1","hi"]'
assert_status 2 "$ENRICH" --batch-input -p x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --batch-output --json -p x </dev/null 2>/dev/null
