# Any JSON API: --body is the whole request, a JSON template whose
# placeholders insert values or escaped text; --endpoint picks the path and
# --extract what to keep.  The example: embeddings for every row.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

printf '%s\n' '{"id":1,"text":"hello \"you\"","n":3}' '{"id":2,"text":"world","n":1}' >"$T/in"
"$ENRICH" -u "$URL" --endpoint /embeddings \
    --body '{"model":"text-embedding-3-small", "input": {{text}}, "dimensions": {{n}}, "user":"row {{id}}"}' \
    --extract data.0.embedding -o embedding <"$T/in" >"$T/out"
assert_eq "$(jq -r .path "$T/log" | sort -u)" /v1/embeddings
assert_eq "$(jq -c '.body | fromjson' "$T/log" | sort | head -1)" \
    '{"model":"text-embedding-3-small","input":"hello \"you\"","dimensions":3,"user":"row 1"}'
assert_eq "$(jq -c '.embedding | length' "$T/out" | sort -u)" 8
assert_eq "$(jq -r '[.embedding[] | type] | unique | .[]' "$T/out" | sort -u)" number
# Each row its own embedding (the mock hashes the input).
assert_eq "$(jq -c .embedding "$T/out" | sort -u | wc -l)" 2

# --extract also reaches into chat answers; a value that is missing or
# null fails the row as parse.
printf '{"id":1,"text":"x"}\n' >"$T/in"
"$ENRICH" -u "$URL" -p '{{text}}' --extract usage -o usage <"$T/in" >"$T/out"
assert_eq "$(jq -c '.usage | keys' "$T/out")" \
    '["completion_tokens","prompt_tokens","total_tokens"]'
assert_status 1 "$ENRICH" -u "$URL" -p '{{text}}' --extract choices.0.nope \
    <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -r .error.type "$T/out")" parse

# A body template that is not JSON, or with the chat options, is refused.
assert_status 2 "$ENRICH" --body '{"a": {{x}}' </dev/null 2>"$T/err"
assert_grep 'not a JSON template' "$T/err"
assert_status 2 "$ENRICH" --body '{}' -p x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --body '{}' -m x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --endpoint embeddings -p x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --extract 'a..b' -p x </dev/null 2>/dev/null
# A template over several lines still gives one line per row in a dry run.
printf '{"text":"q"}\n' | "$ENRICH" --dry-run --body '{
  "input": {{text}}
}' >"$T/out"
assert_eq "$(cat "$T/out")" '{"id":1,"request":{"input":"q"}}'
