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

# Killed right after the 4 batches were made: still 4 in all.  A line
# that is no row is written once, by the first run.
rm -f "$T/st"
echo '{"no row' >>"$T/in"
batch_mock MOCK_BATCH_MS=1500
run_bg >"$T/out" 2>/dev/null &
pid=$!
wait_for '^{"batch"' 4
kill -9 $pid
wait $pid 2>/dev/null || true
run >>"$T/out" 2>"$T/err" || fail "re-run: $(cat "$T/err")"
every_row_once 201 "$T/out"
assert_eq "$(jq -r 'select(.error) | .error.type' "$T/out")" input
assert_eq "$(count POST '/batches$')" 4 "batches after a kill"
assert_eq "$(count POST '/files$')" 4 "uploads after a kill"

rows 200 >"$T/in"

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

# Cut short while writing a batch's rows, after STATE was told of some
# of them but not of the batch's end: the re-run writes the rest only.
rm -f "$T/st"
batch_mock
rows 20 >"$T/in"
run --batch-size 10 >"$T/out" 2>"$T/err"
grep -v -e '"complete"' -e '"ended":"batch_2"' "$T/st" >"$T/st2"
echo '{"written":["11","12","13"]}' >>"$T/st2"
mv "$T/st2" "$T/st"
jq -c 'select(.id <= 13)' "$T/out" >"$T/out2"
run --batch-size 10 >>"$T/out2" 2>"$T/err"
every_row_once 20 "$T/out2"
assert_eq "$(count POST '/batches$')" 2 "batches after a cut in writing"
assert_grep '"complete":true' "$T/st"

# An expired batch: its unanswered rows go again in a new batch.
rm -f "$T/st"
batch_mock
rows 20 | sed 's/"row 3"/"row 3 [[batch-expire]]"/' >"$T/in"
run -v >"$T/out" 2>"$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 20 "rows after an expiry"
assert_eq "$(jq -r .id "$T/out" | sort -n | uniq | wc -l | tr -d ' ')" 20
assert_eq "$(jq -r 'select(.error) | .id' "$T/out" | wc -l | tr -d ' ')" 0 \
    "failed rows after an expiry"
assert_eq "$(count POST '/batches$')" 2 "batches after an expiry"
assert_grep 'batch_1 expired: 10 of 20 rows answered' "$T/err"
# The second batch held only the rows the first left unanswered.
assert_eq "$(grep -c '^{"file"' "$T/st")" 2
assert_eq "$(sed -n 's/^{"file":"[^"]*","ids":\[\(.*\)\]}$/\1/p' "$T/st" |
    tail -1)" '"11","12","13","14","15","16","17","18","19","20"'
# With -r 0 they are not sent again but written as errors.
rm -f "$T/st"
batch_mock
assert_status 1 run -r 0 >"$T/out" 2>"$T/err"
assert_eq "$(jq -c 'select(.error) | .error.type' "$T/out" | sort | uniq -c |
    tr -s ' ')" ' 10 "http"'
assert_grep 'no answer from 1 batch' "$T/out"

# A failed batch (validation) is sent again, and every row answered.
rm -f "$T/st"
batch_mock
rows 20 | sed 's/"row 3"/"row 3 [[batch-fail]]"/' >"$T/in"
run >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l | tr -d ' ')" 20
assert_grep 'batch_1 failed: 0 of 20 rows answered: mock: \[\[batch-fail\]\]' \
    "$T/err"

# The error file: each row typed as a real-time run types it, with
# --errors, --json and --meta as they are in real time.
rm -f "$T/st"
batch_mock
cat >"$T/in" <<'IN'
{"id":"a","text":"fine"}
{"id":"b","text":"[[status:400]]"}
{"id":"c","text":"[[finish:length]]"}
{"id":"d","text":"[[status:500]]"}
{"id":"e","text":"{\"k\":1}"}
IN
assert_status 1 run >"$T/out" 2>"$T/err"
r() { jq -c --arg id "$1" "select(.id == \$id) | $2" "$T/out"; }
assert_eq "$(r a .answer)" '"fine"'
assert_eq "$(r b '[.error.type, .error.status, .error.message]')" \
    '["http",400,"mock status 400"]'
assert_eq "$(r c '.error.type')" '"truncated"'
assert_eq "$(r d '[.error.type, .error.status]')" '["http",500]'
# The same rows in real time: the same lines.
"$ENRICH" -r 0 -u "$URL" -p '{{text}}' <"$T/in" 2>/dev/null | sort >"$T/rt" ||
    true
sort "$T/out" | sed 's/"attempts":1/"attempts":N/' >"$T/bt"
sed 's/"attempts":1/"attempts":N/' "$T/rt" >"$T/rt2"
cmp -s "$T/rt2" "$T/bt" || fail "error rows differ: $(diff "$T/rt2" "$T/bt")"
rm -f "$T/st"
assert_status 1 run --errors "$T/errs" --meta >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" 'a e '
assert_eq "$(jq -r .id "$T/errs" | sort | tr '\n' ' ')" 'b c d '
assert_eq "$(r a '._meta | [.attempts, .prompt_tokens > 0]')" '[1,true]'
rm -f "$T/st"
printf '{"id":"j","text":"{\\"x\\":2}"}\n' >"$T/in"
run --json >"$T/out" 2>"$T/err"
assert_eq "$(jq -c . "$T/out")" '{"id":"j","text":"{\"x\":2}","x":2}'
# --labels: an answer not in the list is invalid_answer, not asked again.
rm -f "$T/st"
rows 3 >"$T/in"
assert_status 1 run --labels 'row 1,row 2' >"$T/out" 2>"$T/err"
assert_eq "$(jq -c '[.id, .answer, .error.type]' "$T/out" | tr '\n' ' ')" \
    '[1,"row 1",null] [2,"row 2",null] [3,null,"invalid_answer"] '
# --skip-ids: rows done before are neither sent nor written.
rm -f "$T/st"
rows 10 >"$T/in"
rows 4 | sed 's/}$/,"answer":"x"}/' >"$T/done"
run --skip-ids "$T/done" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out" | sort -n | tr '\n' ' ')" '5 6 7 8 9 10 '

# SIGINT: the batches keep running; one line says how to resume or
# cancel; 130.  --batch-cancel cancels them and writes nothing.
rm -f "$T/st"
batch_mock MOCK_BATCH_MS=60000
rows 200 >"$T/in"
run_bg >"$T/out" 2>"$T/err" &
pid=$!
wait_for '^{"batch"' 4
kill -INT $pid
set +e
wait $pid
status=$?
set -e
assert_eq "$status" 130 "status after SIGINT"
assert_grep "interrupted: 4 batches keep running at the provider" "$T/err"
assert_grep "enrich --batch-cancel $T/st" "$T/err"
assert_eq "$(wc -c <"$T/out" | tr -d ' ')" 0
# SIGTERM while polling: 143.
run_bg >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.3
kill -TERM $pid
set +e
wait $pid
status=$?
set -e
assert_eq "$status" 143 "status after SIGTERM"
assert_eq "$(count POST '/batches$')" 4 "batches after two interrupted runs"
"$ENRICH" --batch-cancel "$T/st" -u "$URL" >"$T/out" 2>"$T/err"
assert_eq "$(wc -c <"$T/out" | tr -d ' ')" 0 "--batch-cancel's output"
assert_eq "$(count POST '/cancel$')" 4 "batches cancelled"
assert_grep '4 batches cancelled' "$T/err"

# Azure: the same requests under /openai, with its api-version and key.
rm -f "$T/st"
batch_mock
rows 3 >"$T/in"
AZURE_OPENAI_API_KEY=az-key "$ENRICH" --azure -u "${URL%/v1}" -m dep \
    --batch-api "$T/st" --batch-poll 1 -p '{{text}}' <"$T/in" >"$T/out" \
    2>"$T/err"
assert_eq "$(jq -r .answer "$T/out" | sort | tr '\n' ' ')" 'row 1 row 2 row 3 '
assert_eq "$(jq -r 'select(.method == "POST") | .path' "$T/log" | sort |
    tr '\n' ' ')" '/openai/batches?api-version=2024-10-21 /openai/files?api-version=2024-10-21 '
assert_eq "$(jq -r '.headers["api-key"]' "$T/log" | sort -u)" az-key
jq -r .body "$T/log" >"$T/bodies"
assert_grep '"url":"/chat/completions","body":{"model":"dep"' "$T/bodies"

# A key the API refuses stops the run at the upload, with status 3.
rm -f "$T/st"
mock_start --require-key sk-right
assert_status 3 "$ENRICH" --batch-api "$T/st" -u "$URL" -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'upload: HTTP 401' "$T/err"
assert_eq "$(wc -c <"$T/out" | tr -d ' ')" 0

# A dry run prints the request lines; it sends nothing, and makes no
# STATE.  --estimate halves the price.
rm -f "$T/st"
: >"$T/log"
rows 3 >"$T/in"
"$ENRICH" --dry-run --batch-api "$T/st" -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(head -1 "$T/out")" \
    '{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"row 1"}]}}'
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 3
[ ! -e "$T/st" ] || fail "a dry run made STATE"
"$ENRICH" --estimate --price-in 100000 --price-out 100000 -P max_tokens=1000 \
    -p '{{text}}' <"$T/in" | grep cost >"$T/rt"
"$ENRICH" --estimate --batch-api "$T/st" --price-in 100000 --price-out 100000 \
    -P max_tokens=1000 -p '{{text}}' <"$T/in" | grep cost >"$T/bt"
rt=$(sed -n 's/.*\$\([0-9.]*\) in.*/\1/p' "$T/rt")
bt=$(sed -n 's/.*\$\([0-9.]*\) in.*/\1/p' "$T/bt")
assert_eq "$(awk -v a="$rt" -v b="$bt" 'BEGIN { print (b * 2 == a && a > 0) }')" \
    1 "the Batch estimate's input cost ($bt) half of $rt"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 0 "a dry run's requests"

# Usage errors.
assert_status 2 "$ENRICH" --batch-api "$T/st" --ordered -p x </dev/null \
    2>/dev/null
assert_status 2 "$ENRICH" --batch-api "$T/st" --batch-size 50001 -p x \
    </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --batch-cancel "$T/st" --batch-api "$T/st" \
    </dev/null 2>/dev/null

# Batches live at one provider, OpenAI's or Azure's.
assert_status 2 "$ENRICH" --batch-api "$T/st-x" --anthropic -p x </dev/null 2>"$T/err"
assert_grep 'not supported yet' "$T/err"
assert_status 2 "$ENRICH" --batch-api "$T/st-x" -u "$URL" -u "$URL/" -p x </dev/null 2>"$T/err"
assert_grep 'one -u only' "$T/err"
[ ! -e "$T/st-x" ] || fail "a refused run made its STATE"
