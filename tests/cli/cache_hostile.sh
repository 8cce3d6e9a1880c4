# --cache entries someone else put there: a FIFO at an entry's path, a
# symbolic link, a huge file of garbage.  Each is a miss: the row is asked
# and written, and the run never blocks on the entry.
. "$(dirname "$0")/../lib.sh"

mock_start --log "$T/log"
: >>"$T/log"

# run: enrich on $T/in with the cache, bounded so that a hang fails the
# test rather than the suite; prints the requests made, status in $T/rc.
run() {
	before=$(wc -l <"$T/log")
	set +e
	timeout -s KILL 10 "$ENRICH" -u "$URL" -p '{{text}}' --cache "$T/c" \
	    "$@" <"$T/in" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	set -e
	echo $(($(wc -l <"$T/log") - before))
}

printf '%s\n' '{"id":1,"text":"one"}' >"$T/in"
assert_eq "$(run)" 1 "requests, first run"
f=$(find "$T/c" -type f)
ok [ -n "$f" ] || fail "no entry made"
assert_eq "$(run)" 0 "requests, a hit"

# A FIFO where the entry was: open(2) for reading would wait for a writer
# for ever.  A miss: the row is asked, and its answer renamed over the
# FIFO.
rm -f "$f"
mkfifo "$f"
assert_eq "$(run)" 1 "requests, a FIFO at the entry"
assert_eq "$(cat "$T/rc")" 0 "exit status, a FIFO at the entry"
assert_eq "$(jq -r .answer "$T/out")" one "the row's answer"
ok [ -f "$f" ] || fail "the FIFO was not replaced by the entry"
rm -f "$f"

# A symbolic link at the entry's path is not followed: a miss, even when
# it points at a good entry.
assert_eq "$(run)" 1 "requests, a new entry"
mv "$f" "$T/good"
ln -s "$T/good" "$f"
assert_eq "$(run)" 1 "requests, a link at the entry"
assert_eq "$(jq -r .answer "$T/out")" one "the row's answer after a link"
[ -L "$f" ] && fail "the link was left where the entry goes"
assert_eq "$(run)" 0 "requests, the entry written over the link"

# An entry larger than --max-response-bytes is a miss, unread: the row is
# asked, and its response is too large.
printf '%s\n' '{"id":2,"text":"big [[bytes:3000]]"}' >"$T/in"
assert_eq "$(run)" 1 "requests, a large answer"
assert_eq "$(run)" 0 "requests, a large answer from the cache"
assert_eq "$(run --max-response-bytes 2048)" 1 \
    "requests, an entry over --max-response-bytes"
assert_eq "$(cat "$T/rc")" 1 "exit status, a response over the limit"
assert_eq "$(jq -r .error.message "$T/out")" \
    "response larger than --max-response-bytes" "the row's error"
