# --share FILE: processes on one machine divide one --rpm exactly through
# a flock(2)'d file; -j auto processes learn the wall as one through it; a
# file that is not one is an error that names it, and is left alone.
. "$(dirname "$0")/../lib.sh"
awk 'BEGIN { for (i = 1; i <= 40; i++)
    printf "{\"id\":%d,\"text\":\"a %d\"}\n", i, i }' >"$T/a"
awk 'BEGIN { for (i = 1; i <= 40; i++)
    printf "{\"id\":%d,\"text\":\"b %d\"}\n", i, i }' >"$T/b"

# pair ARGS...: both halves at once, each its own enrich, against a wall
# of 10 requests a second (a second of burst); sets n429.
pair() {
	mock_start --rps 10 --stats "$T/stats"
	"$ENRICH" -u "$URL" -j 8 -p '{{text}}' "$@" <"$T/a" >"$T/out.a" \
	    2>"$T/err.a" &
	pa=$!
	"$ENRICH" -u "$URL" -j 8 -p '{{text}}' "$@" <"$T/b" >"$T/out.b" \
	    2>"$T/err.b" &
	pb=$!
	wait $pa || fail "first: exit $?: $(cat "$T/err.a")"
	wait $pb || fail "second: exit $?: $(cat "$T/err.b")"
	mock_stop
	for h in a b; do
		assert_eq "$(jq -r 'select(.answer == .text) | .id' \
		    "$T/out.$h" | sort -n | uniq | wc -l)" 40 "rows of $h"
	done
	n429=$(jq .status_429 "$T/stats")
}

# Each told 540 a minute (9 a second), alone: together 18 a second against
# 10, and the wall refuses many.
pair --rpm 540
[ "$n429" -ge 3 ] || fail "without --share: only $n429 refused"

# The same with --share: one bucket of 9 a second for both, none refused.
pair --rpm 540 --share "$T/rate"
assert_eq "$n429" 0 "429s with --share"
[ -s "$T/rate" ] || fail "no share file"

# -j auto, both: alone, each finds the wall by its own 429s (10 to 15
# of them here); through one file they learn it as one process would
# (2 here), every row answered.
rm -f "$T/rate"
pair -j auto --share "$T/rate"
[ "$n429" -le 6 ] || fail "-j auto with --share: $n429 refused"
# And what they learned is in the file: a process started after them
# starts at their rate, not from nothing, and after a pause counts its
# wall afresh (measured over the pause, the rate came out near nothing).
awk 'BEGIN { for (i = 1; i <= 30; i++)
    printf "{\"id\":%d,\"text\":\"c %d\"}\n", i, i }' >"$T/c"
sleep 2.5
mock_start --rps 10 --stats "$T/stats"
"$ENRICH" -u "$URL" -j auto --share "$T/rate" -p '{{text}}' \
    --stats-json "$T/st" <"$T/c" >"$T/out.c" 2>"$T/err.c" ||
    fail "third: $(cat "$T/err.c")"
mock_stop
assert_eq "$(jq -s length "$T/out.c")" 30 "rows of the third"
[ "$(jq .status_429 "$T/stats")" -le 3 ] ||
    fail "third: $(jq .status_429 "$T/stats") refused"
[ "$(jq '.rows_per_second >= 6' "$T/st")" = true ] ||
    fail "third: $(jq .rows_per_second "$T/st") rows/s against 10"

# The file is not one: status 2, its name said, and it is left as it was.
echo 'not a bucket' >"$T/notone"
assert_status 2 "$ENRICH" -u http://127.0.0.1:1/v1 --share "$T/notone" \
    -p '{{text}}' <"$T/a" >/dev/null 2>"$T/err"
assert_grep "enrich: --share $T/notone: not a share file" "$T/err"
assert_eq "$(cat "$T/notone")" 'not a bucket'
assert_status 2 "$ENRICH" -u http://127.0.0.1:1/v1 --share "$T/no/such" \
    -p '{{text}}' <"$T/a" >/dev/null 2>"$T/err"
assert_grep "--share $T/no/such: open: No such file" "$T/err"
# A dry run sends nothing and needs no file.
"$ENRICH" --dry-run --share "$T/no/such" -p '{{text}}' <"$T/a" >/dev/null
