# The descriptors enrich is given: a closed stdin, stdout or stderr is not
# reused for something else; stdout's open file description, which others
# may share, keeps its flags; a write error has a status of its own; and
# -j beyond the open-file limit is made to fit it.
. "$(dirname "$0")/../lib.sh"
mock_start

# Closed stdin: no rows, at once (the signal pipe must not become fd 0).
timeout 10 "$ENRICH" -u "$URL" -p x <&- >"$T/out" 2>"$T/err" ||
    fail "closed stdin: status $?: $(cat "$T/err")"
ok [ ! -s "$T/out" ] || fail "rows from nowhere: $(cat "$T/out")"

# Closed stdout: a clear error, and --errors is not taken for it.
rows 3 >"$T/in"
assert_status 2 "$ENRICH" -u "$URL" -p '{{text}}' --errors "$T/failed" \
    <"$T/in" >&- 2>"$T/err"
assert_grep 'stdout is closed' "$T/err"
ok [ ! -s "$T/failed" ] || fail "rows went to the errors file"

# Closed stderr: the rows still come.
"$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" >"$T/out" 2>&-
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 3

# A write error is not "a row failed" (1): status 5.
if [ -w /dev/full ]; then
	assert_status 5 "$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" \
	    >/dev/full 2>"$T/err"
	assert_grep 'write' "$T/err"
fi

# stdout shared with what runs after: its flags are left alone, even when
# enrich is killed, so the next writer does not get EAGAIN.
rows 2000 >"$T/in"
{
	"$ENRICH" -u "$URL" -j 4 -p '[[sleep:20]] {{text}}' <"$T/in" &
	pid=$!
	sleep 0.5
	kill -9 $pid
	wait $pid 2>/dev/null || true
	head -c 2000000 /dev/zero | tr '\0' a || echo "tr failed: $?" >&2
} 2>"$T/err" | { sleep 1; cat; } >"$T/out"
ok [ ! -s "$T/err" ] || fail "the next writer failed: $(cat "$T/err")"
assert_eq "$(tail -c 2000000 "$T/out" | tr -d a | wc -c | tr -d ' ')" 0

# Warnings into the same slow pipe as the rows (2>&1): none dropped.
awk 'BEGIN { for (i = 1; i <= 1000; i++)
    printf "{\"id\":%d,\"t\":\"[[status:400]]\"}\n", i }' >"$T/in"
{ "$ENRICH" -u "$URL" -j 50 -p '{{t}}' <"$T/in" 2>&1 || true; } |
    { sleep 1; cat; } >"$T/out"
assert_eq "$(grep -c '^enrich: row [0-9]*: HTTP 400' "$T/out")" 1000
assert_eq "$(grep -c '^{' "$T/out")" 1000

# -j above the open-file limit: raised to the hard limit, else the window
# fits in it; either way no row fails for want of a socket.
rows 600 >"$T/in"
(
	ulimit -Sn 128
	"$ENRICH" -u "$URL" -j 2000 -p '[[sleep:300]] {{text}}' <"$T/in" \
	    >"$T/out" 2>"$T/err"
) || fail "soft limit: $(tail -3 "$T/err")"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l | tr -d ' ')" 600
(
	ulimit -n 200
	"$ENRICH" -v -u "$URL" -j 2000 -p '{{text}}' <"$T/in" >"$T/out" \
	    2>"$T/err"
) || fail "hard limit: $(tail -3 "$T/err")"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l | tr -d ' ')" 600
assert_grep 'at most 136 requests in flight' "$T/err"
