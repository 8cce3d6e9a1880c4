# Answers that are not answers: one cut at the token limit is a
# "truncated" error keeping what came as "partial", a refusal or a content
# filter is "refused" with the refusal as its message; neither is retried
# (the same request gives the same), and both fail the run (status 1).
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

printf '%s\n' '{"id":1,"text":"short"}' \
    '{"id":2,"text":"LONG one [[finish:length]]"}' \
    '{"id":3,"text":"[[null]] tell me"}' \
    '{"id":4,"text":"[[finish:content_filter]] hm"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.id == 1) | .answer' "$T/out")" short
assert_eq "$(jq -c 'select(.id == 2) | [.answer, .error.type, .error.partial, .error.attempts]' "$T/out")" \
    '[null,"truncated","LONG one [[finish:length]]",1]'
assert_eq "$(jq -c 'select(.id == 3) | [.answer, .error.type, .error.message, .error.attempts]' "$T/out")" \
    "[null,\"refused\",\"I'm sorry, I can't help with that.\",1]"
assert_eq "$(jq -c 'select(.id == 4) | [.error.type, .error.attempts]' "$T/out")" \
    '["refused",1]'
assert_grep 'row 2: truncated: the answer was cut at the token limit' "$T/err"
assert_grep "row 3: refused: I'm sorry" "$T/err"
# Not retried: one request each.
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 4
# A truncated answer is not done: a resume sends it again.
"$ENRICH" -u "$URL" -p '{{text}}' --skip-ids "$T/out" <"$T/in" >"$T/again" 2>/dev/null || true
assert_eq "$(jq -r .id "$T/again" | sort | tr '\n' ' ')" '2 3 4 '
