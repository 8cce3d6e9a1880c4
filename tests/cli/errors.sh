# --errors FILE takes the failed rows; --error-field renames the error object.
. "$(dirname "$0")/../lib.sh"
mock_start

printf '%s\n' '{"id":1,"t":"ok"}' '{"id":2,"t":"[[status:500]]"}' 'junk' \
    '{"id":4,"x":"no t"}' >"$T/in"
echo stale >"$T/errors"
assert_status 1 "$ENRICH" -u "$URL" -r 0 -p '{{t}}' --errors "$T/errors" \
    <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -r .id "$T/out")" 1
assert_eq "$(jq -r '.id' "$T/errors" | sort | tr '\n' ' ')" '2 3 4 '
assert_eq "$(jq -r '.error.type' "$T/errors" | sort | tr '\n' ' ')" \
    'http input template '
assert_no_grep stale "$T/errors"

assert_status 1 "$ENRICH" -u "$URL" -r 0 -p '{{t}}' --error-field failure \
    <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -r 'select(.failure) | .failure.type' "$T/out" | sort | tr '\n' ' ')" \
    'http input template '
assert_eq "$(jq -r 'select(.error) | .id' "$T/out" | wc -l)" 0
