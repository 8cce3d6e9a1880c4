#!/bin/sh
# `make check`: the whole suite once per build directory given (the plain
# build, then the sanitizer build), and one total line at the end.
cd "$(dirname "$0")/.." || exit 2
passed=0
failed=0
for build in "$@"; do
	echo "== suite against $build/enrich"
	case $build in */san) export SANITIZED=1 ;; *) unset SANITIZED ;; esac
	sh tests/run.sh "$build" >"${TMPDIR:-/tmp}/enrich-check.$$" 2>&1
	cat "${TMPDIR:-/tmp}/enrich-check.$$"
	last=$(tail -1 "${TMPDIR:-/tmp}/enrich-check.$$")
	rm -f "${TMPDIR:-/tmp}/enrich-check.$$"
	p=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(echo "$last" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	[ -n "$p" ] || { p=0; f=1; }
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
