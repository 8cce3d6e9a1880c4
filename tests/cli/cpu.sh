# CPU per row at zero latency stays within 1.3 x a bare libcurl multi loop
# that posts the same bodies pre-built (bench/peers/curl_multi.c, the floor
# for any libcurl client), as issue 21 asks.  Counted in instructions by
# callgrind, not in seconds: the count does not depend on how busy the
# machine is, though libcurl's own count moves by a few per cent with how
# answers happen to arrive (how many each wakeup finds): so each program
# runs twice on 1,000 rows and the lesser count is taken, for both alike.
# Each runs on 1 row too, and the difference over 999 is its cost a
# row, start-up left out.  bench/run.sh measures the same in seconds at
# full size.
. "$(dirname "$0")/../lib.sh"
command -v valgrind >/dev/null || { echo "no valgrind: skipped"; exit 0; }
# valgrind cannot run a binary built with AddressSanitizer.
[ -z "${SANITIZED:-}" ] || exit 0
N=1000
${CC:-cc} -O2 -o "$T/floor" "$ROOT/bench/peers/curl_multi.c" \
    $(pkg-config --libs libcurl) || fail "cannot build the floor"
mock_start --answer hash

awk -v n=$N -v s="a security alert about a storage bucket made public" \
    'BEGIN { for (i = 1; i <= n; i++)
    printf "{\"id\":%d,\"text\":\"row %d: %s\"}\n", i, i, s }' >"$T/rows"
head -1 "$T/rows" >"$T/row"
# The bodies enrich sends, from its dry run: {"id":N,"request":BODY}.
"$ENRICH" --dry-run -p '{{text}}' <"$T/rows" |
    sed 's/^{"id":[0-9]*,"request":\(.*\)}$/\1/' >"$T/bodies"
head -1 "$T/bodies" >"$T/body"
assert_grep '^{"model":.*"messages":' "$T/body"

# instructions FILE COMMAND...: what the command executes, stdin FILE.
instructions() {
	in=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
	    <"$in" >"$T/out" 2>"$T/err" || fail "$*: $(tail -3 "$T/err")"
	awk '/Collected :/ { print $NF }' "$T/err"
}

# least FILE COMMAND...: the lesser of two runs' instructions.
least() {
	a=$(instructions "$@")
	b=$(instructions "$@")
	[ "$a" -lt "$b" ] && echo "$a" || echo "$b"
}

f1=$(instructions "$T/body" "$T/floor" "$URL/chat/completions" 64)
fn=$(least "$T/bodies" "$T/floor" "$URL/chat/completions" 64)
e1=$(instructions "$T/row" "$ENRICH" -u "$URL" -j 64 -p '{{text}}')
en=$(least "$T/rows" "$ENRICH" -u "$URL" -j 64 -p '{{text}}')
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" $N "rows written"
assert_no_grep '"error"' "$T/out"
awk -v f1="$f1" -v fn="$fn" -v e1="$e1" -v en="$en" -v n=$N 'BEGIN {
	f = (fn - f1) / (n - 1)
	e = (en - e1) / (n - 1)
	printf "instructions a row: enrich %.0f, the floor %.0f: %.3f x\n",
	    e, f, e / f
	if (f <= 0 || e / f > 1.3) {
		print "FAIL: more than 1.3 x the floor" > "/dev/stderr"
		exit 1
	}
}'
