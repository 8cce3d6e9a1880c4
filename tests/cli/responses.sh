# Hostile responses: a gzip bomb and a 100 MB body are cut off at
# --max-response-bytes as parse errors, not retried, nothing hangs.
. "$(dirname "$0")/../lib.sh"
mock_start

head -c 200000000 /dev/zero | gzip -9 >"$T/bomb.gz"
printf '%s\n' "{\"id\":1,\"t\":\"[[gzip-file:$T/bomb.gz]]\"}" \
    '{"id":2,"t":"[[bytes:100000000]]"}' '{"id":3,"t":"fine"}' >"$T/in"
assert_status 1 timeout 60 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" \
    >"$T/out" 2>"$T/err"
assert_eq "$(jq -c 'select(.error) | [.id, .error.type, .error.attempts]' "$T/out" | sort | tr '\n' ' ')" \
    '[1,"parse",1] [2,"parse",1] '
assert_eq "$(jq -r 'select(.id == 3) | .answer' "$T/out")" fine
# A compressed answer that is not a bomb is decoded.
printf '{"choices":[{"message":{"content":"unzipped"}}]}' | gzip >"$T/ok.gz"
echo "{\"id\":1,\"t\":\"[[gzip-file:$T/ok.gz]]\"}" |
    "$ENRICH" -u "$URL" -p '{{t}}' >"$T/out"
assert_eq "$(jq -r .answer "$T/out")" unzipped
