# Signals: the first SIGINT or SIGTERM stops the reading, lets the rows in
# flight finish and be written, and exits 130 or 143; a second one exits at
# once.  Retries that would come after the grace period are not waited for.
. "$(dirname "$0")/../lib.sh"
mock_start --latency 1000

rows 100 >"$T/in"
# enrich runs in the background of this script: run it in its own process
# group would lose the signal, so send it to the pid.
"$ENRICH" -u "$URL" -j 10 -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.5
kill -INT $pid
set +e
wait $pid
status=$?
set -e
assert_eq "$status" 130 "status after SIGINT"
assert_eq "$(wc -l <"$T/out")" 10 "rows in flight written"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | sort -n | tr '\n' ' ')" \
    '1 2 3 4 5 6 7 8 9 10 '

"$ENRICH" -u "$URL" -j 10 -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.5
kill -TERM $pid
set +e
wait $pid
status=$?
set -e
assert_eq "$status" 143 "status after SIGTERM"
assert_eq "$(wc -l <"$T/out")" 10

# Twice: out at once, the rows in flight not written.
start=$(date +%s%N)
"$ENRICH" -u "$URL" -j 10 -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.3
kill -INT $pid
sleep 0.1
kill -INT $pid
set +e
wait $pid
status=$?
set -e
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$status" 130
[ "$ms" -lt 900 ] || fail "second signal took $ms ms"
[ ! -s "$T/out" ] || fail "rows written after a second signal"

# A retry due after the grace period fails the row instead.
mock_stop
mock_start
printf '%s\n' '{"id":1,"t":"[[status:503]] [[retry-after:5]]"}' \
    '{"id":2,"t":"[[sleep:800]] ok"}' >"$T/in"
start=$(date +%s%N)
"$ENRICH" -u "$URL" --grace 2 -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
sleep 0.4
kill -INT $pid
set +e
wait $pid
status=$?
set -e
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$status" 130
[ "$ms" -lt 2500 ] || fail "took $ms ms"
assert_eq "$(jq -r 'select(.id == 2) | .answer' "$T/out")" '[[sleep:800]] ok'
assert_grep 'not retried: interrupted' "$T/out"
