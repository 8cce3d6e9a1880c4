# Requests as OpenAI publishes them (#22 item 7): the chat bodies enrich
# sends (a system prompt, -P, --labels and a re-ask, --schema,
# --confidence), the Batch request lines it uploads and writes with
# --dry-run, the upload's purpose, the body that creates a batch, and the
# Batch output lines of --batch-output, each validated with
# python3-jsonschema against the schemas of OpenAI's OpenAPI document
# kept in tests/openapi/schemas.json (tests/openapi/extract.py makes it).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../batchlib.sh"
export OPENAI_API_KEY=sk-test
OA="$(dirname "$0")/../openapi"
validate() {
	python3 "$OA/validate.py" "$OA/schemas.json" "$@"
}
# checked KIND FILE: how many of KIND the validator checked.
checked() {
	sed -n "s/^$1: \([0-9]*\) checked$/\1/p" "$2"
}

batch_mock
rows 3 >"$T/in"
printf '{"type":"object","additionalProperties":false,"required":["n"],'\
'"properties":{"n":{"type":"integer"}}}\n' >"$T/schema.json"
"$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" >/dev/null
"$ENRICH" -u "$URL" -s 'Be brief.' -P temperature=0 \
    -P max_completion_tokens=50 -P seed=7 -p '{{text}}' <"$T/in" >/dev/null
printf '{"id":1,"text":"[[reask:Q|A]]"}\n' |
    "$ENRICH" -u "$URL" -s 'Sort.' --labels A,B -p '{{text}}' >/dev/null
printf '{"id":1,"text":"[[answer:{\\"n\\":1}]]"}\n' |
    "$ENRICH" -u "$URL" --schema "$T/schema.json" --json -p '{{text}}' \
    >/dev/null
printf '{"id":1,"text":"[[answer:A]]"}\n' |
    "$ENRICH" -u "$URL" --labels A,B --confidence -P top_logprobs=2 \
    -p '{{text}}' >/dev/null
# Through the Batch API: an upload and a batch.
rows 3 | sed 's/"row \([0-9]*\)"/"row \1 [[answer:A]]"/' >"$T/in"
run --labels A,B -s 'Sort.' >/dev/null
validate log "$T/log" >"$T/res"
assert_eq "$(checked chat "$T/res")" 10 "chat bodies checked"
assert_eq "$(checked upload "$T/res")" 1 "uploads checked"
assert_eq "$(checked 'uploaded line' "$T/res")" 3 "uploaded lines checked"
assert_eq "$(checked 'line body' "$T/res")" 3 "uploaded bodies checked"
assert_eq "$(checked batch "$T/res")" 1 "batches checked"
# What was checked holds what the options ask for.
jq -r 'select(.path | test("/chat/completions$")) | .body' "$T/log" \
    >"$T/bodies"
assert_eq "$(jq -r 'select(.response_format) | .response_format.type' \
    "$T/bodies")" json_schema
assert_eq "$(jq -r 'select(.logprobs) | .top_logprobs' "$T/bodies")" 2
assert_eq "$(jq -r 'select(.messages | length > 2) | .messages[2].role' \
    "$T/bodies")" assistant

# --dry-run of --batch-api: the lines it would upload.
fresh
"$ENRICH" --batch-api "$T/st" --dry-run -u "$URL" -s 'Sort.' \
    --schema "$T/schema.json" -p '{{text}}' <"$T/in" >"$T/lines"
validate lines "$T/lines" >"$T/res"
assert_eq "$(checked line "$T/res")" 3 "dry-run lines checked"
assert_eq "$(checked 'line body' "$T/res")" 3

# --batch-output: Batch output lines, for answers and failures alike.
printf '%s\n' \
    '{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"x"}]}}' \
    '{"custom_id":"b","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"[[status:400]]"}]}}' \
    '{"custom_id":"c","method":"POST","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"[[drop]]"}]}}' |
    "$ENRICH" --batch-input --batch-output -r 0 -u "$URL" >"$T/out" \
    2>/dev/null || true
validate output "$T/out" >"$T/res"
assert_eq "$(checked output "$T/res")" 3 "output lines checked"

# The check can fail: an Anthropic-shaped body, a wrong purpose, a line
# without its body are refused.
printf '%s\n' '{"model":"m","system":"x","messages":[{"role":"user","content":"q"}]}' \
    >"$T/anth"
assert_status 1 validate chat "$T/anth" >/dev/null 2>"$T/err"
assert_grep 'members the schema does not name: system' "$T/err"
printf '%s\n' '{"model":"m","messages":[{"role":"robot","content":"q"}]}' \
    >"$T/role"
assert_status 1 validate chat "$T/role" >/dev/null 2>&1
printf '%s\n' '{"custom_id":"1","method":"POST","url":"/v1/chat/completions"}' \
    >"$T/nobody"
assert_status 1 validate lines "$T/nobody" >/dev/null 2>&1
