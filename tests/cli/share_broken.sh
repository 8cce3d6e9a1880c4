# --share FILE that stops working in the middle of a run (here another
# program writes over it): the run says so on stderr, once, and goes on
# paced by its own limits; every row is written.  (pace.c used to drop
# these errors with (void).)
. "$(dirname "$0")/../lib.sh"
mock_start
mkfifo "$T/in"

timeout -s KILL 30 "$ENRICH" -u "$URL" -p '{{text}}' --rpm 60000 \
    --share "$T/share" <"$T/in" >"$T/out" 2>"$T/err" &
pid=$!
MOCK_PIDS="$MOCK_PIDS $pid"
exec 3>"$T/in"

# lines N: wait until the output holds N lines.
lines() {
	i=0
	while [ "$(wc -l <"$T/out")" -lt "$1" ]; do
		i=$((i + 1))
		[ $i -le 1000 ] || fail "$1 rows not written: $(cat "$T/err")"
		sleep 0.01
	done
}

rows 5 >&3
lines 5
assert_eq "$(wc -c <"$T/err")" 0 "stderr while the file works"
# Not an enrich's file any more: every call on it fails from now on.
printf 'not a share file\n' >"$T/share"
rows 10 | tail -n 5 >&3
lines 10
exec 3>&-
set +e
wait "$pid"
rc=$?
set -e
assert_eq "$rc" 0 "exit status: $(cat "$T/err")"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | sort -n |
    tr '\n' ' ')" "1 2 3 4 5 6 7 8 9 10 " "rows"
assert_eq "$(grep -c -- "--share $T/share: not a share file" "$T/err")" 1 \
    "said once: $(cat "$T/err")"
assert_grep "own limits" "$T/err"
