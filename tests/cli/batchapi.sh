# --batch-api STATE: the rows through the Files and Batches APIs of the
# mock, written exactly as a real-time run writes them; a run killed at
# any moment and started again with the same command submits no row
# twice and loses none.
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

# uploaded: the request lines of every upload the mock saw.
uploaded() {
	jq -r 'select(.path | test("/files$")) | .body' "$T/log" |
	    grep '^{"custom_id"' || true
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

fresh() {
	rm -rf "$T/st" "$T/st.d"
}

rows 200 >"$T/in"

# The whole stream: 4 uploads, 4 batches, no real-time request.
batch_mock
run -v >"$T/out" 2>"$T/err"
every_row_once 200 "$T/out"
assert_eq "$(count POST '/files$')" 4 "uploads"
assert_eq "$(count POST '/batches$')" 4 "batches"
assert_eq "$(count POST 'chat/completions')" 0 "real-time requests"
assert_eq "$(grep -c '^{"up"' "$T/st")" 4 "files in STATE"
assert_eq "$(grep -c '^{"ended"' "$T/st")" 4 "files ended in STATE"
assert_grep '^{"enrich":"batch-2","settings":{"model":' "$T/st"
assert_grep 'batch_1: completed' "$T/err"
# What is written is gone from STATE.d.
assert_eq "$(ls "$T/st.d" | wc -l | tr -d ' ')" 0 "files left in STATE.d"
# The upload is multipart, purpose=batch, and holds Batch request lines
# whose custom_ids are the rows' places in the input.
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
# Done: a re-run with the same input sends nothing and writes nothing.
: >"$T/log"
run >"$T/out2" 2>"$T/err"
assert_eq "$(wc -c <"$T/out2" | tr -d ' ')" 0 "a finished STATE's output"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 0 "a finished STATE's requests"
assert_grep 'every row of the input was written by an earlier run' "$T/err"
# More input (issue 23 D04): only the new rows go, in a batch of their own.
rows 230 >"$T/in"
run >"$T/out2" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out2" | sort -n | head -1)" 201 "first new row"
assert_eq "$(wc -l <"$T/out2" | tr -d ' ')" 30 "new rows written"
assert_eq "$(uploaded | wc -l | tr -d ' ')" 30 "new rows uploaded"
# Another input in the lines STATE accounted for: refused, said.
rows 230 | sed 's/"row 7"/"row seven"/' >"$T/in"
assert_status 1 run >"$T/out2" 2>"$T/err"
assert_grep 'first 230 lines are not those it was made with' "$T/err"
rows 100 >"$T/in"
assert_status 1 run >"$T/out2" 2>"$T/err"
assert_grep 'has 100 lines, fewer than the 230' "$T/err"
# Another prompt (D03): refused at the start, naming what changed.
rows 230 >"$T/in"
assert_status 2 run -s 'Be brief.' >"$T/out2" 2>"$T/err"
assert_grep 'made by a run with another system' "$T/err"
assert_status 2 "$ENRICH" --batch-api "$T/st" -u "$URL" -p '{{text}}!' \
    -m gpt-4o <"$T/in" >"$T/out2" 2>"$T/err"
assert_grep 'another model, prompt' "$T/err"
assert_eq "$(wc -c <"$T/out2" | tr -d ' ')" 0 "a refused run's output"
# A STATE of the earlier release: named.
printf '{"file":"file-1","ids":["1"]}\n' >"$T/old"
assert_status 2 "$ENRICH" --batch-api "$T/old" -u "$URL" -p x <"$T/in" \
    >/dev/null 2>"$T/err"
assert_grep 'a STATE of an earlier enrich' "$T/err"

rows 200 >"$T/in"

# Killed right after the 4 batches were made: still 4 in all.  A line
# that is no row is written once, by the first run.
fresh
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
fresh
batch_mock MOCK_CREATE_MS=700
run_bg >"$T/out" 2>/dev/null &
pid=$!
wait_for '^{"up"' 2
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
fresh
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

# Killed while writing a batch's rows (the reader took 30 lines and
# stopped, rows of 2 kB fill the pipe): the rows written before the kill
# may come again, none is lost, nothing is sent again.
fresh
batch_mock
rows 200 | awk '{ pad = sprintf("%1000s", ""); gsub(/ /, "x", pad);
    sub(/"}$/, " " pad "\"}"); print }' >"$T/in"
mkfifo "$T/fifo"
# Files of 100 such rows: more than the 30 read and the pipe's 64 kB.
run_bg --batch-size 100 >"$T/fifo" 2>/dev/null &
pid=$!
sleep 60 <"$T/fifo" &
holder=$!
head -n 30 <"$T/fifo" >"$T/out"
wait_for '^{"got"' 1
sleep 0.3
kill -9 $pid
wait $pid 2>/dev/null || true
kill $holder 2>/dev/null || true
wait $holder 2>/dev/null || true
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 30 "lines read before the kill"
run --batch-size 100 >>"$T/out" 2>"$T/err" || fail "re-run: $(cat "$T/err")"
assert_eq "$(jq -r .id "$T/out" | sort -n | uniq | wc -l | tr -d ' ')" 200 \
    "rows after a kill while writing"
assert_eq "$(count POST '/files$')" 2 "uploads after a kill while writing"
assert_eq "$(count POST '/batches$')" 2 "batches after a kill while writing"
assert_eq "$(jq -r 'select(.answer != .text) | .id' "$T/out" | wc -l |
    tr -d ' ')" 0 "rows without their own answer"
rows 200 >"$T/in"

# An expired batch: its unanswered rows go again in a new batch.
fresh
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
jq -r 'select(.path | test("/files$")) | .body' "$T/log" |
    grep -o '"custom_id":"[0-9]*"' | tail -10 | tr -d '"' |
    sed 's/custom_id://' | tr '\n' ' ' >"$T/second"
assert_eq "$(cat "$T/second")" '11 12 13 14 15 16 17 18 19 20 '
# With -r 0 they are not sent again but written as errors.
fresh
batch_mock
assert_status 1 run -r 0 >"$T/out" 2>"$T/err"
assert_eq "$(jq -c 'select(.error) | .error.type' "$T/out" | sort | uniq -c |
    tr -s ' ')" ' 10 "http"'
assert_grep 'no answer from 1 batch' "$T/out"

# A failed batch (validation) is sent again, and every row answered.
fresh
batch_mock
rows 20 | sed 's/"row 3"/"row 3 [[batch-fail]]"/' >"$T/in"
run >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l | tr -d ' ')" 20
assert_grep 'batch_1 failed: mock: \[\[batch-fail\]\]' "$T/err"
assert_grep 'batch_1 failed: 0 of 20 rows answered' "$T/err"

# A status enrich never heard of (issue 23): said once, asked again,
# given up after five polls as a failed batch, its rows sent again.
fresh
batch_mock
rows 5 | sed 's/"row 3"/"row 3 [[batch-status:pondering]]"/' >"$T/in"
run >"$T/out" 2>"$T/err"
assert_eq "$(grep -c '"pondering" is not one enrich knows' "$T/err")" 1 \
    "an unknown status said"
assert_grep '"pondering" 5 times: given up' "$T/err"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l | tr -d ' ')" 5
assert_eq "$(count POST '/batches$')" 2 "batches after an unknown status"

# The error file: each row typed as a real-time run types it, with
# --errors, --json and --meta as they are in real time; a 500 is tried
# again in a later batch, as real time tries it again.
fresh
batch_mock
cat >"$T/in" <<'IN'
{"id":"a","text":"fine"}
{"id":"b","text":"[[status:400]]"}
{"id":"c","text":"[[finish:length]]"}
{"id":"d","text":"[[status:500]]"}
{"id":"e","text":"{\"k\":1}"}
IN
assert_status 1 run -r 1 >"$T/out" 2>"$T/err"
r() { jq -c --arg id "$1" "select(.id == \$id) | $2" "$T/out"; }
assert_eq "$(r a .answer)" '"fine"'
assert_eq "$(r b '[.error.type, .error.status, .error.message]')" \
    '["http",400,"mock status 400"]'
assert_eq "$(r c '.error.type')" '"truncated"'
assert_eq "$(r d '[.error.type, .error.status, .error.attempts]')" \
    '["http",500,2]'
assert_eq "$(count POST '/batches$')" 2 "batches for a 500 tried again"
# The same rows in real time: the same lines.
"$ENRICH" -r 1 -u "$URL" -p '{{text}}' <"$T/in" 2>/dev/null | sort >"$T/rt" ||
    true
sort "$T/out" >"$T/bt"
cmp -s "$T/rt" "$T/bt" || fail "error rows differ: $(diff "$T/rt" "$T/bt")"
fresh
assert_status 1 run -r 0 --errors "$T/errs" --meta >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" 'a e '
assert_eq "$(jq -r .id "$T/errs" | sort | tr '\n' ' ')" 'b c d '
assert_eq "$(r a '._meta | [.attempts, .prompt_tokens > 0]')" '[1,true]'
fresh
printf '{"id":"j","text":"{\\"x\\":2}"}\n' >"$T/in"
run --json >"$T/out" 2>"$T/err"
assert_eq "$(jq -c . "$T/out")" '{"id":"j","text":"{\"x\":2}","x":2}'
# --labels: an answer not in the list is asked again, in a later batch,
# as real time asks it again; then invalid_answer.
fresh
: >"$T/log"
rows 3 >"$T/in"
assert_status 1 run --labels 'row 1,row 2' --reask 1 --stats-json \
    "$T/stats" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c '[.id, .answer, .error.type]' "$T/out" | sort |
    tr '\n' ' ')" '[1,"row 1",null] [2,"row 2",null] [3,null,"invalid_answer"] '
assert_eq "$(jq .reasks "$T/stats")" 1 "re-asks"
assert_eq "$(count POST '/batches$')" 2 "batches for a re-ask"
# --skip-ids: rows done before are neither sent nor written.
fresh
rows 10 >"$T/in"
rows 4 | sed 's/}$/,"answer":"x"}/' >"$T/done"
run --skip-ids "$T/done" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out" | sort -n | tr '\n' ' ')" '5 6 7 8 9 10 '

# SIGINT: the batches keep running; one line says how to resume or
# cancel; 130.  --batch-cancel cancels them and writes nothing.
fresh
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
fresh
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
fresh
mock_start --require-key sk-right
assert_status 3 "$ENRICH" --batch-api "$T/st" -u "$URL" -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'upload: HTTP 401' "$T/err"
assert_eq "$(wc -c <"$T/out" | tr -d ' ')" 0

# A dry run prints the request lines; it sends nothing, and makes no
# STATE.  --estimate halves the price.
fresh
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
# Pacing is the provider's: a pace of one's own is refused, named.
assert_status 2 "$ENRICH" --batch-api "$T/st-x" --rpm 10 -p x </dev/null \
    2>"$T/err"
assert_grep 'rpm does not apply' "$T/err"

# Batches live at one provider, OpenAI's or Azure's.
assert_status 2 "$ENRICH" --batch-api "$T/st-x" --anthropic -p x </dev/null 2>"$T/err"
assert_grep 'not supported yet' "$T/err"
assert_status 2 "$ENRICH" --batch-api "$T/st-x" -u "$URL" -u "$URL/" -p x </dev/null 2>"$T/err"
assert_grep 'one -u only' "$T/err"
[ ! -e "$T/st-x" ] || fail "a refused run made its STATE"
