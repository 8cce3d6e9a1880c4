# What goes over the wire: the path, Content-Type, no Expect even for a
# large body, -H headers, -P fields, the model from -m or $ENRICH_MODEL and
# the URL from $OPENAI_BASE_URL.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

echo '{"t":"x"}' >"$T/in"
ENRICH_MODEL=env-model OPENAI_BASE_URL="$URL/" "$ENRICH" -p '{{t}}' \
    -H 'X-Trace: abc 123' -H 'OpenAI-Project: p1' -P temperature=0 \
    -P 'max_completion_tokens=50' -P 'response_format={"type": "json_object"}' \
    <"$T/in" >/dev/null
assert_eq "$(jq -r .path "$T/log")" /v1/chat/completions
assert_eq "$(jq -r '.headers["content-type"]' "$T/log")" application/json
assert_eq "$(jq -r '.headers["x-trace"]' "$T/log")" 'abc 123'
assert_eq "$(jq -r '.headers["openai-project"]' "$T/log")" p1
assert_eq "$(jq -r '.headers.expect // "none"' "$T/log")" none
assert_eq "$(jq -c '.body | fromjson' "$T/log")" \
    '{"model":"env-model","messages":[{"role":"user","content":"x"}],"temperature":0,"max_completion_tokens":50,"response_format":{"type":"json_object"}}'

# -m wins over the environment; a body over 1 MiB still has no Expect.
: >"$T/log"
awk 'BEGIN { s = "0123456789abcdef"; for (i = 0; i < 17; i++) s = s s;
    printf "{\"t\":\"%s\"}\n", s }' >"$T/big"
ENRICH_MODEL=env-model "$ENRICH" -u "$URL" -m flag-model -p '{{t}}' \
    <"$T/big" >"$T/out"
assert_eq "$(jq -r '.headers.expect // "none"' "$T/log")" none
assert_eq "$(jq -r '.body | fromjson | .model' "$T/log")" flag-model
assert_eq "$(jq -r '.answer | length' "$T/out")" 2097152
