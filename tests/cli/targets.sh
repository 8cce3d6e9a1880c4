# Where requests go, and when a failure is the run's rather than a row's:
# a redirect is named and stops the run; a 404 for a Batch line whose url
# or model is its own fails that row only; a refused connection stops the
# run before every row retries it; a Batch url cannot leave --url's path.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

# A 3xx: not followed (the key would go with it), named, status 3.
echo '{"id":1,"t":"[[status:302]] [[header:location=https://elsewhere.example/v1]]"}' >"$T/in"
assert_status 3 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'HTTP 302' "$T/err"
assert_grep 'redirected to https://elsewhere.example/v1' "$T/err"

# --batch-input: a 404 for one line fails that line; the rest go on.
cat >"$T/in" <<'IN'
{"custom_id":"a","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"one"}]}}
{"custom_id":"b","url":"/v1/nope","body":{"model":"m","messages":[{"role":"user","content":"two"}]}}
{"custom_id":"c","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"three"}]}}
IN
mock_stop
mock_start --path /v1/chat/completions
assert_status 1 "$ENRICH" --batch-input -u "$URL" <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.error == null) | .custom_id' "$T/out" | sort | tr '\n' ' ')" 'a c '
assert_eq "$(jq -r 'select(.error) | "\(.custom_id) \(.error.status)"' "$T/out")" 'b 404'
# ... but four alike before any success are the run's.
for k in 1 2 3 4 5 6; do
	echo "{\"custom_id\":\"x$k\",\"url\":\"/v1/nope\",\"body\":{}}"
done >"$T/in2"
assert_status 3 "$ENRICH" --batch-input -j 1 -u "$URL" <"$T/in2" >"$T/out" 2>"$T/err"
assert_grep 'HTTP 404' "$T/err"

# Batch urls with dot segments, encoded or not, or a space: input errors,
# nothing sent outside the base path.
mock_stop
mock_start --log "$T/log2"
cat >"$T/in" <<'IN'
{"custom_id":"d1","url":"/v1/../../admin/x","body":{}}
{"custom_id":"d2","url":"/v1/%2e%2E/admin","body":{}}
{"custom_id":"d3","url":"/v1/./chat/completions","body":{}}
{"custom_id":"d4","url":"/v1/chat completions","body":{}}
{"custom_id":"ok","url":"/v1/chat/completions","body":{"model":"m","messages":[{"role":"user","content":"fine"}]}}
IN
assert_status 1 "$ENRICH" --batch-input -u "$URL" <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.error) | "\(.custom_id) \(.error.type)"' "$T/out" | sort | tr '\n' ' ')" \
    '1 input 2 input 3 input 4 input '
assert_eq "$(jq -r .path "$T/log2" | tr '\n' ' ')" '/v1/chat/completions '

# A refused connection: stopped after a few attempts, not 5 retries a row.
port=$(cat "$T/port")
mock_stop
rows 50 >"$T/in"
start=$(date +%s)
assert_status 3 "$ENRICH" -u "http://127.0.0.1:$port/v1" -j 4 -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'every request so far failed so' "$T/err"
ok [ $(($(date +%s) - start)) -lt 10 ] || fail "took too long to stop"
ok [ "$(wc -l <"$T/out")" -lt 4 ] || fail "rows failed one by one"
