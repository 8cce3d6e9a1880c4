# --http2-prior-knowledge: HTTP/2 without TLS against the mock's h2c.  With
# libcurl 8 or later, 100 requests share a connection; before 8.0.0
# libcurl cannot reuse such a connection (curl#10634), so enrich says so
# and gives each request its own: every row is still answered.
. "$(dirname "$0")/../lib.sh"
mock_start --latency 200 --stats "$T/stats"

rows 300 >"$T/in"
"$ENRICH" --http2-prior-knowledge -u "$URL" -j 300 --stats-json "$T/st" \
    -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
mock_stop
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l)" 300
assert_eq "$(jq .h2_streams "$T/stats")" 300 "requests over HTTP/2"
version=$("$ENRICH" --version | sed -n 's/.*libcurl\/\([0-9]*\)\..*/\1/p')
if [ "$version" -ge 8 ]; then
	ok [ "$(jq .connections "$T/st")" -le 3 ] || fail "not multiplexed"
	ok [ ! -s "$T/err" ] || fail "a warning: $(cat "$T/err")"
else
	assert_grep 'cannot reuse HTTP/2 connections without TLS' "$T/err"
	assert_eq "$(jq .connections "$T/st")" 300 "a connection per request"
fi
