# Rows are written as they complete, not in input order: a slow first row
# does not hold back the others.
. "$(dirname "$0")/../lib.sh"
mock_start

printf '%s\n' '{"id":1,"t":"[[sleep:600]]"}' '{"id":2,"t":"[[sleep:300]]"}' \
    '{"id":3,"t":"fast"}' >"$T/in"
"$ENRICH" -u "$URL" -j 3 -p '{{t}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" '3 2 1 '
# With a window of one, they finish in input order.
"$ENRICH" -u "$URL" -j 1 -p '{{t}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" '1 2 3 '
