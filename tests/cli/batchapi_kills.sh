# --batch-api killed at each step (batches made, a batch being made, a
# download, a batch's rows being written): started again with the same
# command, it submits no row twice and loses none.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../batchlib.sh"
export OPENAI_API_KEY=sk-test

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

