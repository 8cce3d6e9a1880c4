# A field that is null, empty or white space only never fills a prompt:
# the row is a template error, said on stderr, and no request is sent for
# it (the mock's log has none); in a system prompt and a --body as well.
# --allow-empty sends such rows as they are.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"
: >>"$T/log"

printf '%s\n' '{"id":1,"text":"fine"}' '{"id":2,"text":null}' \
    '{"id":3,"text":""}' '{"id":4,"text":"  \t\n "}' \
    '{"id":5,"text":"\u00a0\u200b"}' '{"id":6,"text":0}' \
    '{"id":7,"text":"also fine","who":" "}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -p 'Classify: {{text}}' <"$T/in" \
    >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | sort -n | tr '\n' ' ')" \
    "1 6 7 " "rows answered"
assert_eq "$(jq -r 'select(.error.type == "template") | "\(.id) \(.error.message)"' \
    "$T/out" | sort -n)" '2 field "text" is null: not sent (--allow-empty sends it)
3 field "text" is empty: not sent (--allow-empty sends it)
4 field "text" is blank: not sent (--allow-empty sends it)
5 field "text" is blank: not sent (--allow-empty sends it)'
assert_eq "$(jq -r 'select(.error) | .error.attempts' "$T/out" | sort -u)" 0 \
    "attempts of the rows not sent"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 3 "requests sent"
assert_eq "$(jq -r '.body | fromjson | .messages[0].content' "$T/log" | sort |
    tr '\n' '|')" "Classify: 0|Classify: also fine|Classify: fine|" "prompts sent"
assert_grep 'row 2: template: field "text" is null: not sent' "$T/err"

# The system prompt's fields too, and a --body's, in a string or as a
# value.
: >"$T/log"
assert_status 1 "$ENRICH" -u "$URL" -s 'Team: {{who}}' -p '{{text}}' \
    <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -r 'select(.id == 7) | .error.message' "$T/out")" \
    'field "who" is blank: not sent (--allow-empty sends it)'
printf '%s\n' '{"id":1,"text":null}' '{"id":2,"text":"  "}' \
    '{"id":3,"text":"x"}' >"$T/in2"
: >"$T/log"
assert_status 1 "$ENRICH" -u "$URL" --body '{"model":"m","input":{{text}}}' \
    --endpoint /chat/completions <"$T/in2" >"$T/out" 2>/dev/null
assert_eq "$(jq -r 'select(.error.type == "template") | .id' "$T/out" |
    sort -n | tr '\n' ' ')" "1 2 " "--body rows not sent"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 1 "--body requests"

# --allow-empty: sent as they are (null as the word, the rest as text).
: >"$T/log"
"$ENRICH" -u "$URL" --allow-empty -p 'Classify: {{text}}' <"$T/in" \
    >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l | tr -d ' ')" 7
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 7 "requests with --allow-empty"
assert_eq "$(jq -r 'select(.id == 2) | .answer' "$T/out")" "Classify: null"
# A dry run shows the same: nothing rendered for them.
"$ENRICH" --dry-run -p '{{text}}' <"$T/in" >"$T/out" 2>/dev/null || true
assert_eq "$(jq -r 'select(.error.type == "template") | .id' "$T/out" |
    sort -n | tr '\n' ' ')" "2 3 4 5 " "dry run"
