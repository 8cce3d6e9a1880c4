# --schema: the answer must fit a JSON Schema, checked here; one that does
# not is asked again with the validator's words, then fails as
# invalid_answer; the schema goes to the server as a strict
# response_format; a schema enrich cannot use stops the run at start.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

cat >"$T/alert.schema.json" <<'S'
{
  "type": "object",
  "properties": {
    "service": { "type": "string", "enum": ["S3", "EC2", "IAM"] },
    "severity": { "type": "string", "enum": ["low", "high"] },
    "score": { "type": "number", "minimum": 0, "maximum": 1 }
  },
  "required": ["service", "severity"],
  "additionalProperties": false
}
S
good='{\"service\":\"S3\",\"severity\":\"high\",\"score\":0.5}'
short='{\"service\":\"S3\",\"score\":0.5}'

# The done-when: 40 rows, one in five first answering without a required
# field: 40 valid rows, each re-asked at most once, exit 0.
# (ENVIRON, not -v: awk would take the backslashes as escapes.)  Each row
# its own prompt: rows that ask the same share one request.
g=$good s=$short awk 'BEGIN { g = ENVIRON["g"]; s = ENVIRON["s"]
    for (i = 1; i <= 40; i++)
    printf "{\"id\":%d,\"text\":\"row %d [[reask:%s|%s]]\"}\n", i, i,
    i % 5 == 0 ? s : g, g }' >"$T/in"
"$ENRICH" -u "$URL" --schema "$T/alert.schema.json" --json --meta \
    --stats-json "$T/stats" -v -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out" | sort -n | paste -s -d ' ' -)" "$(seq 1 40 | paste -s -d ' ' -)"
assert_eq "$(jq -c '[.service, .severity, .score]' "$T/out" | sort -u)" '["S3","high",0.5]'
assert_eq "$(jq -r 'select(._meta.attempts > 1) | .id' "$T/out" | sort -n | paste -s -d ' ' -)" \
    '5 10 15 20 25 30 35 40'
assert_eq "$(jq -r '._meta.attempts' "$T/out" | sort -u | paste -s -d ' ' -)" '1 2'
assert_eq "$(jq .reasks "$T/stats")" 8
assert_grep 'row 5: \$: missing required property "severity"; asking again' "$T/err"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 48
# The request: a strict json_schema response_format named after the file.
assert_eq "$(jq -c '(.body | fromjson).response_format | [.type, .json_schema.name, .json_schema.strict, .json_schema.schema.required]' "$T/log" | sort -u)" \
    '["json_schema","alert",true,["service","severity"]]'
# The re-ask says what was wrong, in the validator's words.
jq -r 'select((.body | fromjson).messages | length == 3) | (.body | fromjson).messages[2].content' "$T/log" | sort -u >"$T/why"
assert_eq "$(cat "$T/why")" 'That answer is not valid: $: missing required property "severity". Answer again, with the corrected answer only.'

# Without --json: the answer is a JSON value under -o, not a string.
printf '%s\n' "{\"id\":1,\"text\":\"[[answer:$good]]\"}" >"$T/in"
"$ENRICH" -u "$URL" --schema "$T/alert.schema.json" -o alert -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -c .alert "$T/out")" '{"service":"S3","severity":"high","score":0.5}'

# Never valid: asked twice more, then invalid_answer with the last answer
# and the reason.
printf '%s\n' '{"id":1,"text":"[[answer:{\"service\":\"S3\",\"severity\":\"urgent\"}]]"}' \
    '{"id":2,"text":"[[answer:{\"service\":\"S3\",\"severity\":\"low\",\"x\":1}]]"}' \
    '{"id":3,"text":"[[answer:not json at all]]"}' \
    '{"id":4,"text":"[[answer:{\"service\":\"S3\",\"severity\":\"low\",\"score\":2}]]"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" --schema "$T/alert.schema.json" --json \
    -p '{{text}}' <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -c 'select(.id == 1) | .error | [.type, .message, .attempts, .answer]' "$T/out")" \
    '["invalid_answer","$.severity: \"urgent\" is not one of \"low\", \"high\"",3,"{\"service\":\"S3\",\"severity\":\"urgent\"}"]'
assert_eq "$(jq -r 'select(.id == 2) | .error.message' "$T/out")" '$: property "x" is not allowed'
assert_eq "$(jq -r 'select(.id == 3) | .error.message' "$T/out" | cut -c1-23)" 'the answer is not JSON:'
assert_eq "$(jq -r 'select(.id == 4) | .error.type' "$T/out")" invalid_answer

# Start-up errors name the file: not JSON, not an object, a $ref to
# another file; an object schema is needed for --json; -P response_format
# would say the same twice.
printf '{"type":' >"$T/bad.json"
assert_status 2 "$ENRICH" --schema "$T/bad.json" -p x </dev/null 2>"$T/err"
assert_grep "^enrich: --schema $T/bad.json: " "$T/err"
printf '[1]' >"$T/bad.json"
assert_status 2 "$ENRICH" --schema "$T/bad.json" -p x </dev/null 2>"$T/err"
assert_grep "^enrich: --schema $T/bad.json: " "$T/err"
printf '{"$ref":"other.json#/x"}' >"$T/bad.json"
assert_status 2 "$ENRICH" --schema "$T/bad.json" -p x </dev/null 2>"$T/err"
assert_grep "^enrich: --schema $T/bad.json: .*ref" "$T/err"
printf '{"type":"array"}' >"$T/arr.json"
assert_status 2 "$ENRICH" --schema "$T/arr.json" --json -p x </dev/null 2>"$T/err"
assert_grep "^enrich: --schema $T/arr.json: --json" "$T/err"
assert_status 2 "$ENRICH" --schema "$T/nonexistent.json" -p x </dev/null 2>"$T/err"
assert_grep "^enrich: --schema $T/nonexistent.json: No such file" "$T/err"
assert_status 2 "$ENRICH" --schema "$T/alert.schema.json" -P 'response_format={}' -p x </dev/null 2>"$T/err"
assert_grep 'set by --schema' "$T/err"
# Keywords not enforced are said with -v, once.
printf '{"type":"object","properties":{"a":{"type":"string","format":"email","pattern":"x"}}}' >"$T/fmt.json"
printf '%s\n' '{"id":1,"text":"[[answer:{\"a\":\"b\"}]]"}' >"$T/in"
"$ENRICH" -u "$URL" --schema "$T/fmt.json" -v -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(grep -c 'not checked by enrich: format, pattern' "$T/err")" 1
