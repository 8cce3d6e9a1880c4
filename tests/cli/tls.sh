# Over TLS: --cacert trusts a test CA; the HTTP version is learned from the
# first response (ALPN) before the window opens: over HTTP/2, 100 requests
# share a connection; over HTTP/1.1, each has its own.
. "$(dirname "$0")/../lib.sh"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 2>/dev/null

# tls_start ALPN [options]: a TLS server offering only that protocol.
tls_start() {
	rm -f "$T/tport"
	"$ROOT/tests/tlsserver.py" --cert "$T/cert.pem" --key "$T/key.pem" \
	    --alpn "$@" --latency 300 --port-file "$T/tport" \
	    --stats "$T/tstats" --max-seconds 120 >/dev/null 2>>"$T/tls.err" &
	MOCK_PIDS="$MOCK_PIDS $!"
	MOCK_PID=$!
	i=0
	while [ ! -s "$T/tport" ]; do
		i=$((i + 1))
		[ $i -le 500 ] || fail "TLS server did not start: $(cat "$T/tls.err")"
		sleep 0.02
	done
	TURL="https://127.0.0.1:$(cat "$T/tport")/v1"
}

rows 300 >"$T/in"
tls_start h2
"$ENRICH" -u "$TURL" --cacert "$T/cert.pem" -j 300 --stats-json "$T/st" \
    -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l)" 300
c=$(jq .connections "$T/st")
[ "$c" -ge 1 ] && [ "$c" -le 3 ] || fail "HTTP/2: $c connections for -j 300"

# --http1.1 against the same server: a connection per request in flight.
"$ENRICH" -u "$TURL" --cacert "$T/cert.pem" --http1.1 -j 300 \
    --stats-json "$T/st" -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(wc -l <"$T/out")" 300
ok [ "$(jq .connections "$T/st")" -gt 50 ] || fail "--http1.1 multiplexed"

# Without the CA: certificate errors, nothing sent in clear, and since
# every row would meet the same, the run stops (status 3) at once.
assert_status 3 "$ENRICH" -u "$TURL" -r 0 -p '{{text}}' <"$T/in" \
    >"$T/out" 2>"$T/err"
assert_grep 'certificate' "$T/err"
assert_grep 'every request so far failed so' "$T/err"
ok [ "$(wc -l <"$T/out")" -lt 4 ] || fail "rows failed one by one: $(wc -l <"$T/out")"
mock_stop

# A server that offers only HTTP/1.1: learned, then the window opens.
# One request alone to learn the version, then all the rest at once: the
# server holds them until the 299 wait together (--gather), which they do
# only if all were sent before any was answered.
tls_start http/1.1 --gather 299
"$ENRICH" -u "$TURL" --cacert "$T/cert.pem" -j 300 --stats-json "$T/st" \
    -p '{{text}}' <"$T/in" >"$T/out"
mock_stop
assert_eq "$(wc -l <"$T/out")" 300
ok [ "$(jq .connections "$T/st")" -gt 50 ] || fail "HTTP/1.1: too few connections"
assert_eq "$(jq -c '[.first_alone, .gathered]' "$T/tstats")" '[true,true]' \
    "the first request alone, then the rest at once"
