# Crash and resume: kill -9 in the middle of a run under `tee -a`, then
# --skip-ids redoes only what is missing, and the union holds every row's
# success exactly once.
. "$(dirname "$0")/../lib.sh"
mock_start --latency 20 --jitter 30 --fail-500 5

rows 2000 >"$T/in"
# Through a FIFO so that $! is enrich itself, not the pipeline's tail.
mkfifo "$T/pipe"
tee -a "$T/done" <"$T/pipe" >/dev/null &
tee_pid=$!
"$ENRICH" -u "$URL" -j 50 -p '{{text}}' <"$T/in" >"$T/pipe" 2>/dev/null &
pid=$!
wait_lines 100 "$T/done"
kill -9 $pid
wait $tee_pid || true
wait $pid 2>/dev/null || true
first=$(wc -l <"$T/done")
ok [ "$first" -gt 0 ] && [ "$first" -lt 2000 ] || fail "$first rows before the kill"

"$ENRICH" -u "$URL" -j 50 --skip-ids "$T/done" -p '{{text}}' <"$T/in" \
    2>/dev/null >>"$T/done" || true
# Failed rows (the 5% of 500s after retries) are redone on a further run.
"$ENRICH" -u "$URL" -j 50 --skip-ids "$T/done" -p '{{text}}' <"$T/in" \
    2>/dev/null >>"$T/done" || true
ok=$(jq -r 'select(.error == null) | .id' "$T/done" | sort -n)
assert_eq "$(echo "$ok" | wc -l)" 2000 "successes"
assert_eq "$(echo "$ok" | uniq -d | wc -l)" 0 "duplicated successes"
