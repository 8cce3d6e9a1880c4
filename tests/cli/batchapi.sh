# --batch-api STATE: the rows through the Files and Batches APIs of the
# mock, written exactly as a real-time run writes them; a run killed at
# any moment and started again with the same command submits no row
# twice and writes every row once.
. "$(dirname "$0")/../lib.sh"
export OPENAI_API_KEY=sk-test

# batch_mock [env...]: a mock whose batches take 300 ms (or as env says).
batch_mock() {
	rm -f "$T/log"
	env "$@" sh -c 'exec "$0" --port-file "$1" --max-seconds 300 --log "$2" \
	    >/dev/null 2>>"$3"' "$MOCK" "$T/port.new" "$T/log" "$T/mock.err" &
	MOCK_PIDS="$MOCK_PIDS $!"
	MOCK_PID=$!
	i=0
	while [ ! -s "$T/port.new" ]; do
		i=$((i + 1))
		[ $i -le 500 ] || fail "mock server did not start"
		sleep 0.01
	done
	URL="http://127.0.0.1:$(cat "$T/port.new")/v1"
	rm -f "$T/port.new"
}

# count METHOD PATH-REGEX: requests the mock saw.
count() {
	jq -r --arg m "$1" --arg p "$2" \
	    'select(.method == $m and (.path | test($p))) | .path' "$T/log" |
	    wc -l | tr -d ' '
}

# every_row_once N FILE: rows 1..N, each once, each with its own answer.
every_row_once() {
	assert_eq "$(wc -l <"$2" | tr -d ' ')" "$1" "lines of $2"
	assert_eq "$(jq -r .id "$2" | sort -n | uniq | wc -l | tr -d ' ')" "$1" \
	    "distinct rows of $2"
	assert_eq "$(jq -r 'select(.answer != .text) | .id' "$2" | wc -l |
	    tr -d ' ')" 0 "rows without their own answer"
}

# wait_for PATTERN N: until STATE holds N lines matching PATTERN.
wait_for() {
	i=0
	while n=$(grep -c -- "$1" "$T/st" 2>/dev/null) || n=0
	    [ "$n" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -le 1000 ] || fail "STATE never held $2 of $1"
		sleep 0.01
	done
}

run() {
	"$ENRICH" --batch-api "$T/st" --batch-size 50 --batch-poll 1 \
	    -u "$URL" -p '{{text}}' "$@" <"$T/in"
}

# In the background, as itself: $! is enrich's own pid.
run_bg() {
	exec "$ENRICH" --batch-api "$T/st" --batch-size 50 --batch-poll 1 \
	    -u "$URL" -p '{{text}}' "$@" <"$T/in"
}

rows 200 >"$T/in"

# The whole stream: 4 uploads, 4 batches, no real-time request.
batch_mock
run -v >"$T/out" 2>"$T/err"
every_row_once 200 "$T/out"
assert_eq "$(count POST '/files$')" 4 "uploads"
assert_eq "$(count POST '/batches$')" 4 "batches"
assert_eq "$(count POST 'chat/completions')" 0 "real-time requests"
assert_eq "$(grep -c '^{"file"' "$T/st")" 4 "files in STATE"
assert_grep '"complete":true' "$T/st"
assert_grep 'batch_1: completed' "$T/err"
# The upload is multipart, purpose=batch, and holds Batch request lines.
jq -r 'select(.path | test("/files$")) | .headers["content-type"]' \
    "$T/log" | head -1 >"$T/ct"
assert_grep '^multipart/form-data; boundary=' "$T/ct"
jq -r 'select(.path | test("/files$")) | .body' "$T/log" >"$T/upload"
assert_grep 'name="purpose"' "$T/upload"
assert_grep '{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":\[{"role":"user","content":"row 1"}\]}}' "$T/upload"
# The same output as real time, row for row.
"$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" | sort >"$T/rt"
sort "$T/out" >"$T/bt"
cmp -s "$T/rt" "$T/bt" || fail "batch output differs from real time"
# Done: a re-run sends nothing and writes nothing.
: >"$T/log"
run >"$T/out2" 2>"$T/err"
assert_eq "$(wc -c <"$T/out2" | tr -d ' ')" 0 "a finished STATE's output"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 0 "a finished STATE's requests"

# Killed right after the 4 batches were made: still 4 in all.
rm -f "$T/st"
batch_mock MOCK_BATCH_MS=1500
run_bg >"$T/out" 2>/dev/null &
pid=$!
wait_for '^{"batch"' 4
kill -9 $pid
wait $pid 2>/dev/null || true
run >>"$T/out" 2>"$T/err" || fail "re-run: $(cat "$T/err")"
every_row_once 200 "$T/out"
assert_eq "$(count POST '/batches$')" 4 "batches after a kill"
assert_eq "$(count POST '/files$')" 4 "uploads after a kill"

# Killed after an upload, while the batch was being made (the API made
# it, STATE never heard): the re-run finds it and makes no other.
rm -f "$T/st"
batch_mock MOCK_CREATE_MS=700
run_bg >"$T/out" 2>/dev/null &
pid=$!
wait_for '^{"file"' 2
kill -9 $pid
wait $pid 2>/dev/null || true
assert_eq "$(grep -c '^{"batch"' "$T/st")" 1 "batches told before the kill"
sleep 0.8
run >>"$T/out" 2>"$T/err" || fail "re-run: $(cat "$T/err")"
every_row_once 200 "$T/out"
assert_eq "$(count POST '/batches$')" 4 "batches after a kill in create"
assert_eq "$(count POST '/files$')" 4 "uploads after a kill in create"
assert_eq "$(count GET '/batches[?]')" 1 "the list asked once"

# Killed during a download: the rows of that batch come once, later.
rm -f "$T/st"
batch_mock MOCK_CONTENT_MS=2000
run_bg >"$T/out" 2>/dev/null &
pid=$!
i=0
until [ "$(count GET '/content$' 2>/dev/null)" -ge 1 ]; do
	i=$((i + 1))
	[ $i -le 1000 ] || fail "no download began"
	sleep 0.01
done
kill -9 $pid
wait $pid 2>/dev/null || true
run >>"$T/out" 2>"$T/err" || fail "re-run: $(cat "$T/err")"
every_row_once 200 "$T/out"
assert_eq "$(count POST '/batches$')" 4 "batches after a kill in a download"
