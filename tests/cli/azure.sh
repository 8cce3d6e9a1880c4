# Azure OpenAI: --azure (or AZURE_OPENAI_ENDPOINT alone) posts to
# {endpoint}/openai/deployments/{model}/chat/completions?api-version=V with
# the key in an api-key header.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"
echo '{"id":1,"text":"hello"}' >"$T/in"

AZURE_OPENAI_API_KEY=az-key-123 "$ENRICH" --azure -u "http://127.0.0.1:$PORT/" \
    -m my-gpt4o -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r .answer "$T/out")" hello
assert_eq "$(jq -r .path "$T/log")" \
    '/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21'
assert_eq "$(jq -r '.headers["api-key"]' "$T/log")" az-key-123
assert_eq "$(jq -r '.headers.authorization // "none"' "$T/log")" none

# The endpoint from the environment alone, another api-version, a
# deployment name that needs escaping.
: >"$T/log"
AZURE_OPENAI_ENDPOINT="http://127.0.0.1:$PORT" AZURE_OPENAI_API_KEY=k2 \
    OPENAI_API_VERSION=2025-01-01-preview "$ENRICH" -m 'dep one' \
    -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r .path "$T/log")" \
    '/openai/deployments/dep%20one/chat/completions?api-version=2025-01-01-preview'
assert_eq "$(jq -r '.headers["api-key"]' "$T/log")" k2

# No key: refused, unless an Entra token comes by -H; -u wins over the
# environment.
AZURE_OPENAI_ENDPOINT="http://127.0.0.1:$PORT" \
    assert_status 2 "$ENRICH" -p x <"$T/in" 2>"$T/err"
assert_grep 'AZURE_OPENAI_API_KEY' "$T/err"
: >"$T/log"
AZURE_OPENAI_ENDPOINT="http://127.0.0.1:$PORT" "$ENRICH" \
    -H 'Authorization: Bearer entra-token' -p '{{text}}' <"$T/in" >/dev/null
assert_eq "$(jq -r '.headers.authorization' "$T/log")" 'Bearer entra-token'
: >"$T/log"
AZURE_OPENAI_ENDPOINT=http://127.0.0.1:1 "$ENRICH" -u "$URL" -p '{{text}}' \
    <"$T/in" >/dev/null
assert_eq "$(jq -r .path "$T/log")" /v1/chat/completions
assert_status 2 "$ENRICH" --azure -p x <"$T/in" 2>"$T/err"
assert_grep 'AZURE_OPENAI_ENDPOINT' "$T/err"
