# --confidence comes from logprob tokens that spell the answer, forgiven
# as a label is (case, quotes, white space, a final period); tokens of
# another text (answer "S3", tokens "EC2") give null, not their
# probability (#23 D10).
. "$(dirname "$0")/../lib.sh"
mock_start

printf '%s\n' '{"id":1,"t":"[[answer:S3]]"}' \
    '{"id":2,"t":"[[answer:S3]] [[logprobs-of:EC2]]"}' \
    '{"id":3,"t":"[[answer:S3]] [[logprobs-of: \"s3.\"]]"}' \
    '{"id":4,"t":"[[answer:an S3 bucket]] [[logprobs-of:an EC2 bucket]]"}' \
    >"$T/in"
head -n 3 "$T/in" | "$ENRICH" -u "$URL" --labels S3,EC2 --confidence \
    -p '{{t}}' >"$T/out"
assert_eq "$(jq -c '[.id, .answer, (.confidence | type)]' \
    "$T/out" | sort)" '[1,"S3","number"]
[2,"S3","null"]
[3,"S3","number"]'
# No labels: the whole answer is what the tokens must spell.
"$ENRICH" -u "$URL" --confidence -p '{{t}}' <"$T/in" >"$T/out"
assert_eq "$(jq -c '[.id, (.confidence | type)]' "$T/out" | sort)" \
    '[1,"number"]
[2,"null"]
[3,"number"]
[4,"null"]'
