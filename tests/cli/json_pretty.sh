# --json with an answer the model pretty-printed: every merged value is
# written compact, one row a line, so a resume reads IDs, not pieces.
. "$(dirname "$0")/../lib.sh"
mock_start	# echoes the prompt: a prompt that is JSON is the answer

printf '%s\n' \
    '{"id":"a","q":"```json\n{\n  \"service\": \"S3\",\n  \"tags\": [\n    \"b\",\n    \"c\"\n  ],\n  \"o\": { \"k\" : 1 }\n}\n```"}' \
    '{"id":"d","q":"{\n \"service\" :\n \"EC2\"\n}"}' >"$T/in"
"$ENRICH" -u "$URL" --json -p '{{q}}' <"$T/in" >"$T/out"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 2
ok jq -c . "$T/out" >/dev/null || fail "output is not JSON Lines: $(cat "$T/out")"
assert_eq "$(jq -c 'select(.id == "a") | [.service, .tags, .o]' "$T/out")" \
    '["S3",["b","c"],{"k":1}]'
ok grep -q '"tags":\["b","c"\],"o":{"k":1}' "$T/out" || fail "not compact: $(cat "$T/out")"

# The resume skips both rows, and a row whose ID was a value's piece
# ("b") is still sent.
printf '%s\n' '{"id":"b","q":"{\"x\":1}"}' >>"$T/in"
"$ENRICH" -u "$URL" --json --skip-ids "$T/out" -p '{{q}}' <"$T/in" >"$T/again"
assert_eq "$(jq -r .id "$T/again")" b
