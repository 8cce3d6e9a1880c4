# Hostile responses.  enrich asks for no compression (no Accept-Encoding),
# so a gzip bomb a server sends anyway is never inflated: it is a body that
# is not JSON, tried once more and then a parse error.  A 100 MB body is cut
# off at --max-response-bytes, not retried.  Nothing hangs.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

head -c 200000000 /dev/zero | gzip -9 >"$T/bomb.gz"
printf '%s\n' "{\"id\":1,\"t\":\"[[gzip-file:$T/bomb.gz]]\"}" \
    '{"id":2,"t":"[[bytes:100000000]]"}' '{"id":3,"t":"fine"}' >"$T/in"
assert_status 1 timeout 60 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" \
    >"$T/out" 2>"$T/err"
assert_eq "$(jq -c 'select(.error) | [.id, .error.type, .error.attempts]' "$T/out" | sort | tr '\n' ' ')" \
    '[1,"parse",2] [2,"parse",1] '
assert_grep 'max-response-bytes' "$T/out"
assert_eq "$(jq -r 'select(.id == 3) | .answer' "$T/out")" fine
assert_eq "$(jq -r '.headers["accept-encoding"] // "none"' "$T/log" | sort -u)" none
