# Row IDs: a string or an integer from the ID field, else the line number
# (blank lines count); any other type makes the line an input error.
. "$(dirname "$0")/../lib.sh"
mock_start

printf '%s\n' '{"id":"a","t":"1"}' '{"t":"2"}' '' '{"id":-7,"t":"4"}' \
    '{"id":1.5,"t":"5"}' '{"id":null,"t":"6"}' '{"id":[1],"t":"7"}' \
    '{"id":true,"t":"8"}' '{"id":{"x":1},"t":"9"}' \
    '{"id":12345678901234567890123,"t":"10"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c 'select(.error == null) | [.id, .answer]' "$T/out" | sort | tr '\n' ' ')" \
    '["a","1"] [-7,"4"] [12345678901234568000000,"10"] [2,"2"] '
# jq rounds the long integer; the row keeps it exactly.
assert_grep '^{"id":12345678901234567890123,"t":"10","answer":"10"}$' "$T/out"
assert_eq "$(jq -c 'select(.error) | [.id, .error.type]' "$T/out" | sort | tr '\n' ' ')" \
    '[5,"input"] [6,"input"] [7,"input"] [8,"input"] [9,"input"] '
assert_eq "$(jq -r 'select(.id == 5) | .line' "$T/out")" '{"id":1.5,"t":"5"}'
assert_grep 'row 5: input: ID field "id" is neither a string nor an integer' "$T/err"
