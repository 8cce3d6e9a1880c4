# Signals: the first SIGINT or SIGTERM stops the reading, lets the rows in
# flight finish and be written, and exits 130 or 143; a second one exits at
# once.  Retries that would come after the grace period are not waited for.
. "$(dirname "$0")/../lib.sh"
mock_start --latency 1000 --log "$T/log"

# interrupt N SIGNAL... -- enrich options: start enrich on $T/in, send
# each signal 0.1 s apart once the mock has seen N requests, and set
# $status and $ms (the time from the first signal to the exit).
interrupt() {
	n=$1
	shift
	sigs=""
	while [ "$1" != -- ]; do
		sigs="$sigs $1"
		shift
	done
	shift
	: >"$T/log"
	"$ENRICH" -u "$URL" "$@" <"$T/in" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_lines "$n" "$T/log"
	start=$(date +%s%N)
	for s in $sigs; do
		kill -"$s" $pid
		sleep 0.1
	done
	set +e
	wait $pid
	status=$?
	set -e
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
}

rows 100 >"$T/in"
interrupt 10 INT -- -j 10 -p '{{text}}'
assert_eq "$status" 130 "status after SIGINT"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | sort -n | tr '\n' ' ')" \
    '1 2 3 4 5 6 7 8 9 10 ' "the rows in flight, written"

interrupt 10 TERM -- -j 10 -p '{{text}}'
assert_eq "$status" 143 "status after SIGTERM"
assert_eq "$(wc -l <"$T/out")" 10

# SIGHUP (the terminal went away) is a SIGTERM.
interrupt 10 HUP -- -j 10 -p '{{text}}'
assert_eq "$status" 129 "status after SIGHUP"
assert_eq "$(wc -l <"$T/out")" 10

# Twice: out at once, the rows in flight (answered in 5 s) not written.
interrupt 10 INT INT -- -j 10 -p '[[sleep:5000]] {{text}}'
assert_eq "$status" 130
ok [ "$ms" -lt 2500 ] || fail "second signal took $ms ms"
ok [ ! -s "$T/out" ] || fail "rows written after a second signal"

# A retry due after the grace period fails the row instead.
mock_stop
mock_start --log "$T/log"
printf '%s\n' '{"id":1,"t":"[[status:503]] [[retry-after:5]]"}' \
    '{"id":2,"t":"[[sleep:800]] ok"}' >"$T/in"
interrupt 2 INT -- --grace 2 -p '{{t}}'
assert_eq "$status" 130
ok [ "$ms" -lt 2500 ] || fail "took $ms ms"
assert_eq "$(jq -r 'select(.id == 2) | .answer' "$T/out")" '[[sleep:800]] ok'
assert_grep 'not retried: interrupted' "$T/out"
