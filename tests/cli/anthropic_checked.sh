# --anthropic with checked answers: --schema goes as a tool the model must
# call (its input_schema), the tool's input is the answer, validated and
# asked again as with chat; --labels are told in the top-level system;
# --confidence sends no logprobs (Anthropic has none) and writes null.
# The mock refuses what the real API would (response_format, logprobs, a
# system role), so a clean run is proof that nothing such was sent.
. "$(dirname "$0")/../lib.sh"
export ANTHROPIC_API_KEY=k
mock_start --log "$T/log" --stats "$T/mstats"
cat >"$T/alert.schema.json" <<'S'
{
  "type": "object",
  "properties": {
    "service": { "type": "string", "enum": ["S3", "EC2", "IAM"] },
    "severity": { "type": "string", "enum": ["low", "high"] }
  },
  "required": ["service", "severity"],
  "additionalProperties": false
}
S
good='{\"service\":\"S3\",\"severity\":\"high\"}'
short='{\"service\":\"S3\"}'
# Each row its own prompt: rows that ask the same share one request.
g=$good s=$short awk 'BEGIN { g = ENVIRON["g"]; s = ENVIRON["s"]
    for (i = 1; i <= 20; i++)
    printf "{\"id\":%d,\"text\":\"row %d [[reask:%s|%s]]\"}\n", i, i,
    i % 5 == 0 ? s : g, g }' >"$T/in"
"$ENRICH" --anthropic -u "$URL" --schema "$T/alert.schema.json" --json \
    --meta --stats-json "$T/st" -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -c '[.service, .severity]' "$T/out" | sort -u)" '["S3","high"]'
assert_eq "$(jq -r 'select(._meta.attempts > 1) | .id' "$T/out" | sort -n | paste -s -d ' ' -)" \
    '5 10 15 20'
assert_eq "$(jq .reasks "$T/st")" 4
# The tool, forced; no response_format.
assert_eq "$(jq -c '(.body | fromjson) | [.tools[0].name, .tools[0].input_schema.required, .tool_choice, .response_format]' "$T/log" | sort -u)" \
    '["answer",["service","severity"],{"type":"tool","name":"answer"},null]'
# A re-ask: the model's answer as an assistant turn, then what was wrong.
assert_eq "$(jq -r 'select(.reask) | (.body | fromjson).messages | map(.role) | join(",")' "$T/log" | sort -u)" \
    user,assistant,user
# Without --json: the tool's input as a JSON value under -o.
printf '%s\n' "{\"id\":1,\"text\":\"[[answer:$good]]\"}" >"$T/in"
"$ENRICH" --anthropic -u "$URL" --schema "$T/alert.schema.json" -o alert \
    -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -c .alert "$T/out")" '{"service":"S3","severity":"high"}'
mock_stop
assert_eq "$(jq .status_4xx "$T/mstats")" 0

# A schema that is no object cannot be a tool's input: refused at start.
echo '{"type":"array"}' >"$T/list.json"
assert_status 2 "$ENRICH" --anthropic --dry-run --schema "$T/list.json" \
    -p x <"$T/in" 2>"$T/err"
assert_grep 'input_schema' "$T/err"

# --labels in the system (its own, or after -s), re-asked when not one of
# them; --confidence null, said once with -v, and no logprobs sent.
: >"$T/log"
mock_start --log "$T/log" --stats "$T/mstats" --answer pick:S3,EC2,IAM
printf '%s\n' '{"id":1,"text":"a bucket S3"}' '{"id":2,"text":"a role IAM"}' \
    '{"id":3,"text":"[[reask:It is S3.|ec2]]"}' >"$T/in"
"$ENRICH" --anthropic -u "$URL" --labels S3,EC2,IAM --confidence -v \
    -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c '[.id, .answer, .confidence]' "$T/out" | sort)" \
    "$(printf '%s\n' '[1,"S3",null]' '[2,"IAM",null]' '[3,"EC2",null]')"
assert_eq "$(grep -c 'no logprobs' "$T/err")" 1
assert_eq "$(jq -r '(.body | fromjson).system[0].text' "$T/log" | sort -u)" \
    'Answer with exactly one of these labels and nothing else: S3, EC2, IAM.'
assert_eq "$(jq -r '(.body | fromjson) | has("logprobs")' "$T/log" | sort -u)" false
: >"$T/log"
"$ENRICH" --anthropic -u "$URL" --labels S3,EC2,IAM -s 'You sort alerts.' \
    -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r '(.body | fromjson).system[0].text | startswith("You sort alerts.\n\n")' "$T/log" | sort -u)" true
mock_stop
assert_eq "$(jq .status_4xx "$T/mstats")" 0
