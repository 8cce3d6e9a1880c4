# The URL given with -u: a query stays after the path, a fragment is
# refused, and user:password@ is never shown.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

echo '{"id":1,"t":"x"}' >"$T/in"
"$ENRICH" -u "$URL?api-version=2024" -p '{{t}}' <"$T/in" >"$T/out"
assert_grep '/v1/chat/completions?api-version=2024' "$T/log"
assert_eq "$(jq -r .answer "$T/out")" x
assert_status 2 "$ENRICH" -u "$URL#frag" -p '{{t}}' <"$T/in" 2>"$T/err"
assert_grep 'fragment' "$T/err"

"$ENRICH" -v -u "http://me:s3cret@127.0.0.1:$PORT/v1" -p '{{t}}' <"$T/in" \
    >"$T/out" 2>"$T/err"
assert_no_grep 's3cret' "$T/err"
assert_grep 'http://\*\*\*@127.0.0.1' "$T/err"
assert_status 2 "$ENRICH" -u 'ftp://me:s3cret@host/v1' -p '{{t}}' <"$T/in" \
    2>"$T/err"
assert_no_grep 's3cret' "$T/err"
