# --batch-api interrupted: SIGINT and SIGTERM leave the batches running
# and say how to resume or cancel; --batch-cancel cancels them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../batchlib.sh"
export OPENAI_API_KEY=sk-test

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
polls=$(count GET '/batches/batch_')
run_bg >"$T/out" 2>"$T/err" &
pid=$!
i=0
until [ "$(count GET '/batches/batch_')" -gt "$polls" ]; do
	i=$((i + 1))
	[ $i -le 3000 ] || fail "no poll"
	sleep 0.01
done
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

