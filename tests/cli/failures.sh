# Failures that are not HTTP errors become error records of their type:
# timeout, network, parse (garbage, no choices, too big) and refused (a
# refusal with null content).
. "$(dirname "$0")/../lib.sh"
mock_start

printf '%s\n' '{"id":1,"t":"[[garbage]]"}' '{"id":2,"t":"[[nochoices]]"}' \
    '{"id":3,"t":"[[null]]"}' '{"id":4,"t":"[[bytes:5000]]"}' \
    '{"id":5,"t":"fine"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -r 0 --max-response-bytes 2048 -p '{{t}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.error) | "\(.id):\(.error.type)"' "$T/out" | sort | tr '\n' ' ')" \
    '1:parse 2:parse 3:refused 4:parse '
assert_grep 'not JSON' "$T/err"
assert_grep 'no choices' "$T/err"
assert_grep "row 3: refused: I'm sorry" "$T/err"
assert_grep 'max-response-bytes' "$T/err"
assert_eq "$(jq -r 'select(.id == 5) | .answer' "$T/out")" fine

# A server that does not answer in time.
echo '{"id":1,"t":"[[sleep:3000]]"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -r 0 -t 1 -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c .error "$T/out" | jq -r '"\(.type) \(.status)"')" 'timeout null'

# No server at all: a network error per row, and the run goes on.
mock_stop
rows 3 >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -r 0 -p '{{text}}' <"$T/in" >"$T/out" \
    2>"$T/err"
assert_eq "$(jq -r .error.type "$T/out" | sort | uniq -c | awk '{print $1, $2}')" \
    '3 network'
