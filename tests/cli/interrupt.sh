# An interrupted run ends, on stderr that is not a terminal, with one line
# that says what was written and what was not, and the command that
# resumes it; that command, run as printed, finishes the work with every
# row written once.  SIGTERM and SIGHUP say the same; a second signal
# too; a header that looks secret is not shown.
. "$(dirname "$0")/../lib.sh"
mock_start --latency 300 --log "$T/log"

# interrupt SIGNAL... -- enrich options: enrich on $T/in into $T/out, the
# signals 0.1 s apart once the mock has seen 10 requests; $status is its
# exit status.
interrupt() {
	sigs=""
	while [ "$1" != -- ]; do
		sigs="$sigs $1"
		shift
	done
	shift
	: >"$T/log"
	"$ENRICH" "$@" <"$T/in" >"$T/out" 2>"$T/err" &
	pid=$!
	wait_lines 10 "$T/log"
	for s in $sigs; do
		kill -"$s" $pid
		sleep 0.1
	done
	set +e
	wait $pid
	status=$?
	set -e
}

rows 40 >"$T/in"
interrupt INT -- -u "$URL" -j 10 -p '{{text}}'
assert_eq "$status" 130
n=$(wc -l <"$T/out" | tr -d ' ')
ok [ "$n" -ge 10 ] && [ "$n" -lt 40 ] || fail "$n rows written"
tail -1 "$T/err" >"$T/last"
assert_grep "^enrich: interrupted (SIGINT): $n rows written; the rest of the input not read; resume with: " "$T/last"
assert_grep " resume with: $ENRICH -u $URL -j 10 -p '{{text}}' --skip-ids $T/out < $T/in >> $T/out\$" "$T/last"
# As printed, it does the rest: each row once, answered.
sh -c "$(sed 's/.*; resume with: //' "$T/last")" 2>"$T/err2"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | sort -n |
    uniq | wc -l | tr -d ' ')" 40 "rows answered after the resume"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 40 "lines after the resume"
ok [ ! -s "$T/err2" ] || fail "the resume said: $(cat "$T/err2")"

# SIGTERM and SIGHUP, -q or not; --skip-ids already naming the output is
# not given twice; a row that failed is said to be done again.
printf '%s\n' '{"id":0,"text":"[[status:400]] no"}' >"$T/in"
rows 40 >>"$T/in"
: >"$T/none"
interrupt TERM -- -q -u "$URL" -j 10 --skip-ids "$T/out" -p '{{text}}'
assert_eq "$status" 143
assert_grep '^enrich: interrupted (SIGTERM): [0-9]* rows written ([0-9]* answered, 1 failed: a resume does those again); ' "$T/err"
assert_grep " -q -u $URL -j 10 --skip-ids $T/out -p '{{text}}' < $T/in >> $T/out\$" "$T/err"
interrupt HUP -- -u "$URL" -j 10 -H 'X-Api-Key: sk-visible-not' \
    -H 'X-Team: a b' --head='x-auth-token: sk-cut-short' -p '{{text}}'
assert_eq "$status" 129
assert_grep "^enrich: interrupted (SIGHUP): " "$T/err"
assert_grep " -H 'X-Api-Key: \*\*\*' -H 'X-Team: a b' '--head=x-auth-token: \*\*\*' " "$T/err"
assert_no_grep 'sk-visible-not\|sk-cut-short' "$T/err"

# Twice: out at once, and still the resume line, without counts.
awk 'BEGIN { for (i = 1; i <= 20; i++)
    printf "{\"id\":%d,\"text\":\"[[sleep:3000]] %d\"}\n", i, i }' >"$T/in"
interrupt INT INT -- -u "$URL" -j 10 -p '{{text}}'
assert_eq "$status" 130
tail -1 "$T/err" >"$T/last"
assert_grep "^enrich: interrupted twice (SIGINT): rows in flight and lines not yet written are lost; resume with: .* --skip-ids $T/out < $T/in >> $T/out\$" "$T/last"

# Into a pipe: the file is not known, so it is named OUTPUT.
: >"$T/log"
{ "$ENRICH" -u "$URL" -j 10 -p '{{text}}' <"$T/in" 2>"$T/err" &
    echo $! >"$T/pid"; wait; } | cat >"$T/out" &
cat_pid=$!
wait_lines 10 "$T/log"
kill -INT "$(cat "$T/pid")"
wait $cat_pid
assert_grep "; resume with: .* --skip-ids OUTPUT < $T/in, OUTPUT being a file that holds the lines written\$" "$T/err"
