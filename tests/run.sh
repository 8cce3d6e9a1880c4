#!/bin/sh
# Runs every test against the build in directory $1 (default: the tree):
# the unit programs, each printing "name: P passed, F failed", and the
# command-line scripts, each one behaviour and one count.  Ends with one
# line: N passed, N failed.
cd "$(dirname "$0")/.." || exit 2
build=${1:-.}
export ENRICH="$PWD/$build/enrich"
passed=0
failed=0
# The units are the sources, not the binaries found: one not built fails
# rather than vanishes, and one whose source is gone is not run.
for c in tests/unit/test_*.c; do
	t=$build/${c%.c}
	out=$("$t" 2>&1)
	status=$?
	line=$(printf '%s\n' "$out" | grep -E '^test_[a-z0-9_]+: [0-9]+ passed' |
	    tail -1)
	p=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
	f=$(printf '%s\n' "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	if [ -z "$p" ]; then
		# It crashed before its summary: count it as one failure.
		p=0
		f=1
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		printf '%s\n' "$out" | tail -20 | sed 's/^/    /'
		echo "FAIL $t"
	else
		echo "ok   $t ($p checks)"
	fi
done
for t in tests/cli/*.sh; do
	t_start=$(date +%s)
	if out=$(sh "$t" 2>&1); then
		passed=$((passed + 1))
		echo "ok   $t ($(($(date +%s) - t_start)) s)"
	else
		failed=$((failed + 1))
		printf '%s\n' "$out" | tail -15 | sed 's/^/    /'
		echo "FAIL $t"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
