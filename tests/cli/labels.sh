# --labels and --confidence: every answer written is one of the labels, in
# the user's spelling; a wrong one is asked again, saying why; the
# confidence is the probability the server's logprobs give.
. "$(dirname "$0")/../lib.sh"
mock_start --answer pick:S3,EC2,IAM,Lambda --log "$T/log"

# 30 rows, the mock picking the label each names (the done-when).
awk 'BEGIN { split("S3 EC2 IAM Lambda", s, " "); for (i = 1; i <= 30; i++)
    printf "{\"id\":%d,\"text\":\"alert %d about %s\"}\n", i, i, s[i % 4 + 1] }' >"$T/in"
"$ENRICH" -u "$URL" -o service --labels S3,EC2,IAM,Lambda --confidence \
    --stats -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out" | sort -n | paste -s -d ' ' -)" "$(seq 1 30 | paste -s -d ' ' -)"
assert_eq "$(jq -r .service "$T/out" | sort -u | grep -cvx 'S3\|EC2\|IAM\|Lambda')" 0
# The system message names the labels; logprobs are asked for.
assert_eq "$(jq -r '(.body | fromjson).messages[0].content' "$T/log" | sort -u)" \
    'Answer with exactly one of these labels and nothing else: S3, EC2, IAM, Lambda.'
assert_eq "$(jq -r '(.body | fromjson).logprobs' "$T/log" | sort -u)" true
# The same requests straight to the server: the probability of each
# answer from its logprobs, to 0.01.
"$ENRICH" -o service --labels S3,EC2,IAM,Lambda --confidence --dry-run \
    -p '{{text}}' <"$T/in" | jq -c .request >"$T/bodies"
while read -r body; do
	printf '%s' "$body" | curl -s -H 'Authorization: Bearer k' \
	    -H 'Content-Type: application/json' --data-binary @- \
	    "$URL/chat/completions"
	echo
done <"$T/bodies" >"$T/direct"
jq -r '"\(.choices[0].message.content) \([.choices[0].logprobs.content[].logprob] | add | exp)"' \
    "$T/direct" >"$T/want"
jq -r '"\(.service) \(.confidence)"' "$T/out" | sort >"$T/got"
# Rows with the same text pick the same label: compare sorted pairs.
awk '{ printf "%s %.2f\n", $1, $2 }' "$T/want" | sort >"$T/want2"
awk '{ printf "%s %.2f\n", $1, $2 }' "$T/got" | sort >"$T/got2"
ok cmp -s "$T/want2" "$T/got2" || fail "confidences differ: $(diff "$T/want2" "$T/got2" | head)"
assert_eq "$(jq -r '.confidence | type' "$T/out" | sort -u)" number
assert_eq "$(jq -r 'select(.confidence > 1 or .confidence <= 0) | .id' "$T/out")" ""
# --stats: a line per label, its rows and mean confidence.
for l in S3 EC2 IAM Lambda; do
	n=$(jq -r "select(.service == \"$l\") | .id" "$T/out" | wc -l | tr -d ' ')
	m=$(jq -s "map(select(.service == \"$l\") | .confidence) | add / length" "$T/out")
	got=$(sed -n "s/^enrich: label $l: $n rows, mean confidence //p" "$T/err")
	ok [ -n "$got" ] || fail "no line for label $l with $n rows: $(cat "$T/err")"
	awk -v a="$got" -v b="$m" 'BEGIN { exit !(a - b < 0.001 && b - a < 0.001) }' ||
	    fail "label $l: mean confidence $got, the rows say $m"
done

# Spelling, white space, quotes and a final period are forgiven; the
# label is written as given.  A wrong answer is asked again with what
# was wrong, and the right one after it is taken.
printf '%s\n' '{"id":1,"text":"[[answer: ec2.\n]]"}' \
    '{"id":2,"text":"[[answer:\"lambda\"]]"}' \
    '{"id":3,"text":"[[reask:It is S3.|s3]]"}' \
    '{"id":4,"text":"[[answer:Kubernetes]]"}' >"$T/in"
: >"$T/log"
assert_status 1 "$ENRICH" -u "$URL" -o service --labels S3,EC2,IAM,Lambda \
    --stats-json "$T/stats" --meta -v -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c '[.id, .service, ._meta.attempts]' "$T/out" | sort | tr '\n' ' ')" \
    '[1,"EC2",1] [2,"Lambda",1] [3,"S3",2] [4,null,3] '
assert_eq "$(jq -c 'select(.id == 4) | .error | [.type, .message, .answer, .attempts]' "$T/out")" \
    '["invalid_answer","the answer \"Kubernetes\" is not one of the labels; answer with one label only","Kubernetes",3]'
assert_grep 'row 3: the answer "It is S3." is not one of the labels; answer with one label only; asking again' "$T/err"
assert_eq "$(jq .reasks "$T/stats")" 3
# The re-ask: the conversation, the model's answer, and why it was wrong.
jq -c 'select((.body | fromjson).messages | length == 4) | (.body | fromjson).messages[2:]' "$T/log" | sort -u | head -1 >"$T/reask"
assert_eq "$(jq -c '.[0]' "$T/reask")" '{"role":"assistant","content":"It is S3."}'
assert_eq "$(jq -r '.[1].content' "$T/reask")" \
    'That answer is not valid: the answer "It is S3." is not one of the labels; answer with one label only. Answer again, with the corrected answer only.'
# --reask 0: no second chance.
assert_status 1 "$ENRICH" -u "$URL" -o service --labels S3,EC2,IAM,Lambda \
    --reask 0 -p '{{text}}' <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -r 'select(.id == 3) | .error.type' "$T/out")" invalid_answer

# No logprobs from the provider: null, one warning with -v, no failure.
printf '%s\n' '{"id":1,"text":"[[no-logprobs]] [[answer:IAM]]"}' \
    '{"id":2,"text":"[[no-logprobs]] [[answer:EC2]]"}' >"$T/in"
"$ENRICH" -u "$URL" --labels S3,EC2,IAM,Lambda --confidence -v -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c '[.answer, .confidence]' "$T/out" | sort | tr '\n' ' ')" '["EC2",null] ["IAM",null] '
assert_eq "$(grep -c 'no logprobs' "$T/err")" 1

# Usage: a list of one, duplicates, an empty label, both ways at once,
# with --json or --schema, a file.
for bad in 'S3' 'S3,s3' 'S3,,EC2'; do
	assert_status 2 "$ENRICH" --labels "$bad" -p x </dev/null 2>"$T/err"
	assert_grep '^enrich: --labels: ' "$T/err"
done
printf 'S3\n\nEC2 \n' >"$T/labels"
"$ENRICH" --labels-file "$T/labels" --dry-run -p x <"$T/in" >"$T/out"
assert_eq "$(jq -r '.request.messages[0].content' "$T/out" | sort -u)" \
    'Answer with exactly one of these labels and nothing else: S3, EC2.'
printf 'S3\n' >"$T/labels"
assert_status 2 "$ENRICH" --labels-file "$T/labels" -p x </dev/null 2>"$T/err"
assert_grep "^enrich: --labels-file $T/labels: one label" "$T/err"
assert_status 2 "$ENRICH" --labels a,b --labels-file "$T/labels" -p x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --labels a,b --json -p x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --labels a,b --body '{}' </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --confidence -o confidence -p x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --confidence -P logprobs=true -p x </dev/null 2>"$T/err"
assert_grep 'set by --confidence' "$T/err"
