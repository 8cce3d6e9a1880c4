#!/bin/sh
# Runs every test against each build directory given (default: the tree):
# the unit programs, each printing "name: P passed, F failed", and the
# command-line scripts, whose assertions lib.sh counts.  Ends with one
# line: N passed, N failed.
#
# The tests run $JOBS at a time (default: twice the CPUs, since most of a
# script's time is spent waiting on a mock's latency or a sleep; each has
# its own mktemp -d and a mock on port 0), the longest first, by the times
# the last run recorded in BUILD/tests/run.times.  Both builds share one
# pool, so the sanitizer suite overlaps the plain one.  Each test's result
# is printed whole when it ends, in the fixed order of the list below
# (units, then scripts, build by build), so the output does not depend on
# which finished first.
#
# `make check` (both builds from clean and both suites) on the 2-core
# machine, shared with others (load average 6 to 8): 8 min 39 s wall,
# 8 min 12 s CPU (user+sys); at a load average near 10, 14 min wall.  One
# test after the other it had taken 37 min wall (builds 3, plain suite
# 12, sanitizer suite 22) for 7.5 min of CPU: the tests mostly wait, so
# the CPU the machine leaves is what bounds the wall time now.  The plain
# suite alone, same machine, load 6 to 9: JOBS=2 5 min 32 s, JOBS=4 3 min
# 40 s, for the same 2 min 40 s of CPU.
cd "$(dirname "$0")/.." || exit 2
[ $# -gt 0 ] || set -- .
ncpu=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || ncpu=1
jobs=${JOBS:-$((2 * ncpu))}
# A script that hangs fails, rather than holding the suite for ever;
# timeout(1) signals the script's whole process group, its mocks too.
limit=${TEST_TIMEOUT:-900}
W=$(mktemp -d) || exit 2
# stop: end the tests still running.  Each runs under timeout(1), in a
# process group of its own (so a Ctrl-C does not reach it), which passes
# the signal on to that group.
stop() {
	for f in "$W"/*.pid; do
		[ -f "$f" ] && [ ! -f "${f%.pid}.rc" ] &&
		    kill -TERM "$(cat "$f")" 2>/dev/null
	done
	wait	# for them to be gone before their directory is
	exit "$1"
}
trap 'rm -rf "$W"' EXIT
trap 'stop 130' INT
trap 'stop 143' TERM

# The list: "n build path", n in printing order.  The units are the
# sources, not the binaries found: one not built fails rather than
# vanishes, and one whose source is gone is not run.
n=0
for b in "$@"; do
	for t in tests/unit/test_*.c tests/cli/*.sh; do
		n=$((n + 1))
		echo "$n $b $t"
	done
done >"$W/list"
total=$n

# The start order: longest first by the record, then a guess for a test
# not yet timed (a new script may well be slow: after the recorded slow
# ones, before the quick ones).
while read -r n b t; do
	s=$(awk -v t="$t" '$2 == t { print $1; exit }' \
	    "$b/tests/run.times" 2>/dev/null)
	case $t in
	*.c) : "${s:=1}" ;;
	*) : "${s:=20}" ;;
	esac
	echo "$s $n $b $t"
done <"$W/list" | sort -k1,1nr -k2,2n >"$W/order"

# run N BUILD TEST: one test, its output in $W/N.out, its status in
# $W/N.rc (written last), then N on the channel.  timeout(1) also gives
# back SIGINT its default action, which an asynchronous command of sh
# starts without (the signal tests send it).
run() {
	start=$(date +%s)
	case $3 in
	*.c)
		timeout -k 10 "$limit" "$2/${3%.c}" >"$W/$1.out" 2>&1 \
		    </dev/null 3>&- &
		;;
	*)
		case $2 in
		*/san) sanitized=1 ;;
		*) sanitized= ;;
		esac
		ENRICH="$PWD/$2/enrich" SANITIZED=$sanitized \
		    ENRICH_CHECKS="$W/$1.checks" \
		    timeout -k 10 "$limit" sh "$3" >"$W/$1.out" 2>&1 \
		    </dev/null 3>&- &
		;;
	esac
	echo $! >"$W/$1.pid"
	wait $!
	echo $? >"$W/$1.rc.new"
	echo $(($(date +%s) - start)) >"$W/$1.time"
	mv "$W/$1.rc.new" "$W/$1.rc"
	echo "$1" >&3
}

passed=0
failed=0
next=1
# report: print every finished test from $next on, in the list's order
# (with names of its own: the loop that calls it holds n, b and t).
report() {
	while [ "$next" -le "$total" ] && [ -f "$W/$next.rc" ]; do
		set -- $(sed -n "${next}p" "$W/list")
		rb=$2
		rt=$3
		status=$(cat "$W/$next.rc")
		secs=$(cat "$W/$next.time")
		if [ "$rb" != "${last_b-}" ]; then
			echo "== suite against $rb/enrich"
			last_b=$rb
		fi
		case $rt in
		*.c)
			line=$(grep -E '^test_[a-z0-9_]+: [0-9]+ passed' \
			    "$W/$next.out" | tail -1)
			p=$(printf '%s\n' "$line" |
			    sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
			f=$(printf '%s\n' "$line" |
			    sed -n 's/.* \([0-9]*\) failed.*/\1/p')
			if [ -z "$p" ]; then
				# It crashed before its summary.
				p=0
				f=1
			elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
				f=1
			fi
			rt=$rb/${rt%.c}
			;;
		*)
			# Each assertion that held is a byte; a script that
			# failed, however early, is one failure more.
			p=$(wc -c 2>/dev/null <"$W/$next.checks") || p=0
			p=$((p + 0))
			f=0
			if [ "$status" -ne 0 ]; then
				f=1
			elif [ "$p" -eq 0 ]; then
				p=1
			fi
			;;
		esac
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$f" -ne 0 ]; then
			[ "$status" -ne 124 ] ||
			    echo "    (killed after $limit s)"
			tail -20 "$W/$next.out" | sed 's/^/    /'
			echo "FAIL $rt"
		else
			echo "ok   $rt ($p checks, $secs s)"
		fi
		echo "$secs $3" >>"$W/times.$(echo "$rb" | tr / :)"
		next=$((next + 1))
	done
}

# Finished tests name themselves on a FIFO, opened for reading and writing
# so that it never reads an end of file; each line is shorter than
# PIPE_BUF, so lines from tests ending together do not mix.
mkfifo "$W/done" || exit 2
exec 3<>"$W/done"
running=0
while read -r s n b t; do
	while [ "$running" -ge "$jobs" ]; do
		read -r _ <&3
		running=$((running - 1))
		report
	done
	run "$n" "$b" "$t" &
	running=$((running + 1))
done <"$W/order"
while [ "$running" -gt 0 ]; do
	read -r _ <&3
	running=$((running - 1))
	report
done
wait
report

# The record for the next run's order, kept only when every test ran.
if [ "$next" -gt "$total" ]; then
	for b in "$@"; do
		f=$W/times.$(echo "$b" | tr / :)
		[ -f "$f" ] && [ -d "$b/tests" ] && cp "$f" "$b/tests/run.times"
	done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
