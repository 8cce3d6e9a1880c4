# The EXAMPLES of the man page are tests, as jq's manual is: each literal
# display (.Bd -literal ... .Ed) in the EXAMPLES section of man/enrich.1 is
# taken from the page, run with sh against the mock server, and checked.
# What to set up and what to check is written next to the example, in
# comments the rendered page does not show, before its .Bd line:
#
#   .\" test-setup: CMD      run before the example (sample input and such)
#   .\" test-mock: OPTIONS   options for its mock server (default: echo)
#   .\" test-replace: OLD => NEW
#                            run a local form: every OLD within a line of
#                            the text becomes NEW (another host, a file for
#                            stdin)
#   .\" test-needs: PROGRAM  skip the example when PROGRAM is not installed
#   .\" test-exit: N         its exit status (default 0)
#   .\" test-check: CMD      must succeed afterwards; each is one check
#   .\" test-skip: REASON    not run at all, and why
#
# Every example needs a test-check or a test-skip: none passes by asserting
# nothing.  The examples run in order in one directory, as a reader would
# type them: the second picks up the checkpoint the first left.  Each runs
# in a new sh without -e, so its exit status is its last command's; stdin
# is /dev/null.  Setup and checks run in a subshell of this script, in that
# directory, with lib.sh's assertions, the helpers below, $EXAMPLES (the
# examples/ folder), $out and $err (the example's stdout and stderr) and
# $log (its mock's request log, one JSON line a request).
. "$(dirname "$0")/../lib.sh"
man=$ROOT/man/enrich.1
# The displays in EXAMPLES today.  A new one changes this number, which is
# the reminder to give it its test- comments.
want=19

EXAMPLES=$ROOT/examples
# ids [file...]: the rows' IDs in their order, on one line.
ids() { jq -r .id "$@" | paste -s -d ' ' -; }
# sorted_ids [file...]: the same, sorted (numerically where they are numbers).
sorted_ids() { jq -r .id "$@" | sort -n | paste -s -d ' ' -; }
# upto n: "1 2 ... n", the IDs line numbers give.
upto() { seq 1 "$1" | paste -s -d ' ' -; }
lines() { wc -l <"$1" | tr -d ' '; }
# sleepy n: n rows without IDs whose answers come back last row first.
sleepy() {
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "{\"text\":\"[[sleep:%d]] %d\"}\n", (n + 1 - i) * 3, i }'
}

# Take the examples apart: $T/ex/N/ holds "line" (of the .Bd), "text" (as
# the page shows it), "run" (after the replacements), and a file for each
# kind of test- comment.
mkdir "$T/ex"
awk -v dir="$T/ex" '
function put(f, s) { print s >(dir "/" n "/" f); close(dir "/" n "/" f) }
function bad(s) { printf "enrich.1:%d: %s\n", NR, s; err = 1; exit 2 }
# The text as mandoc prints it: \e is a backslash, \& nothing, \- a minus.
# Other escapes stay as they are, and the comparison with the rendered page
# below catches them.
function unescape(s,    r, c, i) {
	r = ""
	while ((i = index(s, "\\")) > 0) {
		r = r substr(s, 1, i - 1)
		c = substr(s, i + 1, 1)
		if (c == "e")
			r = r "\\"
		else if (c == "-")
			r = r "-"
		else if (c != "&")
			r = r "\\" c
		s = substr(s, i + 2)
	}
	return r s
}
function replace(s, old, new,    r, i) {
	r = ""
	while (old != "" && (i = index(s, old)) > 0) {
		r = r substr(s, 1, i - 1) new
		s = substr(s, i + length(old))
	}
	return r s
}
/^\.Sh / {
	if (npend)
		bad("test- comment with no example after it")
	sect = $0 == ".Sh EXAMPLES"
	next
}
/^\.\\" test-/ {
	if (!sect)
		bad("test- comment outside EXAMPLES")
	if (!match($0, /^\.\\" test-[a-z]+: /))
		bad("test- comment without its colon")
	kind = substr($0, 10, RLENGTH - 11)
	if (kind !~ /^(setup|mock|replace|needs|exit|check|skip)$/)
		bad("unknown test-" kind)
	pend[++npend] = kind
	pendv[npend] = substr($0, RLENGTH + 1)
	next
}
!sect { next }
/^\.Bd -literal/ {
	n++
	system("mkdir \"" dir "/" n "\"")
	put("line", NR)
	nrep = 0
	for (k = 1; k <= npend; k++) {
		if (pend[k] == "replace") {
			if (!match(pendv[k], / => /))
				bad("test-replace without \" => \"")
			rold[++nrep] = substr(pendv[k], 1, RSTART - 1)
			rnew[nrep] = substr(pendv[k], RSTART + 4)
			used[nrep] = 0
		} else
			printf "%s\n", pendv[k] >>(dir "/" n "/" pend[k])
	}
	for (k = 1; k <= npend; k++)
		close(dir "/" n "/" pend[k])
	npend = 0
	inblock = 1
	next
}
inblock && /^\.Ed/ {
	for (k = 1; k <= nrep; k++)
		if (!used[k])
			bad("test-replace: \"" rold[k] "\" is not in the example")
	close(dir "/" n "/text")
	close(dir "/" n "/run")
	inblock = 0
	next
}
inblock && /^\.\\"/ { next }
inblock && /^\./ { bad("a macro inside an example: " $0) }
inblock {
	s = unescape($0)
	print s >>(dir "/" n "/text")
	for (k = 1; k <= nrep; k++)
		if (index(s, rold[k]) > 0) {
			used[k] = 1
			s = replace(s, rold[k], rnew[k])
		}
	print s >>(dir "/" n "/run")
}
END {
	if (!err && npend) {
		print "enrich.1: test- comment with no example after it"
		exit 2
	}
}
' "$man" || fail "man/enrich.1: cannot take the examples apart"

n=$(ls "$T/ex" | wc -l | tr -d ' ')
ok [ "$n" -eq "$want" ] || fail "EXAMPLES has $n displays, this test expects" \
    "$want: give a new one its test- comments (see the header) and set want"

# What runs is what the reader sees: the displays' lines, taken from the
# source, are exactly the indented lines of the rendered EXAMPLES.
i=1
while [ $i -le "$n" ]; do cat "$T/ex/$i/text"; i=$((i + 1)); done >"$T/source"
mandoc -Tascii "$man" | col -bx | awk '
	/^[A-Z]/ { sect = $0 == "EXAMPLES"; next }
	!sect || !NF { next }
	{ match($0, /^ */); ind = RLENGTH }
	body == "" { body = ind }
	ind > body { line[++m] = $0; if (lit == "" || ind < lit) lit = ind }
	END { for (k = 1; k <= m; k++) print substr(line[k], lit + 1) }
' >"$T/rendered"
ok cmp -s "$T/source" "$T/rendered" || fail "the examples taken from the" \
    "source differ from the rendered page: $(diff "$T/source" "$T/rendered")"

mkdir "$T/bin" "$T/work" "$T/parallel"
ln -s "$ENRICH" "$T/bin/enrich"
export PATH="$T/bin:$PATH"
# GNU parallel keeps its state here, not in $HOME.
export PARALLEL_HOME="$T/parallel"
W=$T/work

ran=0
skipped=0
checks=0
# (Not $i: mock_start counts with it.)
ex=1
while [ $ex -le "$n" ]; do
	d=$T/ex/$ex
	at="example $ex (enrich.1:$(cat "$d/line"))"
	ex=$((ex + 1))
	if [ -f "$d/skip" ]; then
		echo "skip $at: $(cat "$d/skip")"
		skipped=$((skipped + 1))
		continue
	fi
	missing=""
	if [ -f "$d/needs" ]; then
		for p in $(cat "$d/needs"); do
			command -v "$p" >/dev/null || missing="$missing $p"
		done
	fi
	if [ -n "$missing" ]; then
		echo "skip $at: needs$missing, not installed"
		skipped=$((skipped + 1))
		continue
	fi
	ok [ -s "$d/check" ] || fail "$at has neither a test-check nor a test-skip"

	out=$d/stdout
	err=$d/stderr
	log=$d/log
	: >"$log"
	eval "mock_start --log \"\$log\" $(cat "$d/mock" 2>/dev/null || true)"
	export OPENAI_BASE_URL="$URL"
	if [ -f "$d/setup" ]; then
		while IFS= read -r c <&3; do
			(cd "$W" && eval "$c") </dev/null ||
			    fail "$at: test-setup failed: $c"
		done 3<"$d/setup"
	fi
	set +e
	(cd "$W" && sh "$d/run") </dev/null >"$out" 2>"$err"
	status=$?
	set -e
	mock_stop
	wantst=$(cat "$d/exit" 2>/dev/null || echo 0)
	ok [ "$status" -eq "$wantst" ] || fail "$at: exit status $status," \
	    "want $wantst: $(cat "$d/run") $(tail -5 "$err")"
	while IFS= read -r c <&3; do
		(cd "$W" && eval "$c") </dev/null ||
		    fail "$at: $c failed; stderr: $(tail -5 "$err")"
		checks=$((checks + 1))
	done 3<"$d/check"
	ran=$((ran + 1))
done
ok [ "$ran" -gt 0 ] || fail "no example ran"
echo "$n examples: $ran ran ($checks checks), $skipped skipped"
