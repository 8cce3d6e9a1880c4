# --share FILE that is not what an enrich left: a hold a day ahead, a
# debt no request could run up, a symbolic link, a FIFO, a file others may
# write or that is not ours.  Values no enrich writes are reset and said
# once, and never stall the run; a file that is not safe to use is refused
# before the run starts, and left as it was.
. "$(dirname "$0")/../lib.sh"
mock_start
rows 5 >"$T/in"

# run FILE [ARGS]: enrich with --share FILE, bounded so that a stall fails
# the test, not the suite; status in $T/rc.
run() {
	f=$1
	shift
	set +e
	timeout -s KILL 15 "$ENRICH" -u "$URL" -p '{{text}}' --rpm 6000 \
	    --share "$f" "$@" <"$T/in" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	set -e
}

# poke FILE OFFSET PACK VALUE: write VALUE, packed (q: int64, d: double),
# at OFFSET of the file.  The layout is share.c's struct share_file: last
# at 16, hold at 24, the rates at 32 and 40, the levels at 48 and 56.
poke() {
	perl -e 'open(F, "+<", $ARGV[0]) or die; seek(F, $ARGV[1], 0);
	    print F pack($ARGV[2], $ARGV[3]); close(F)' "$@"
}
# peek FILE OFFSET: the int64 at OFFSET.
peek() {
	perl -e 'open(F, "<", $ARGV[0]) or die; seek(F, $ARGV[1], 0);
	    read(F, $b, 8); print unpack("q", $b), "\n"' "$@"
}

run "$T/share"
assert_eq "$(cat "$T/rc")" 0 "exit status, a new file"
assert_eq "$(stat -c %a "$T/share")" 600 "the file's mode"

# A hold a day and two minutes ahead of the file's time: longer than any
# --max-wait, so no enrich wrote it.  Reset, said once, and the rows go.
poke "$T/share" 24 q $(($(peek "$T/share" 16) + 86520000))
run "$T/share"
assert_eq "$(cat "$T/rc")" 0 "exit status, a hold a day ahead"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l)" 5 \
    "rows, a hold a day ahead"
assert_eq "$(grep -c 'share.*reset' "$T/err")" 1 \
    "said once, a hold a day ahead: $(cat "$T/err")"
assert_grep 'a hold' "$T/err"

# An hour ahead, which an enrich with --max-wait 3600 could have written:
# kept for those that wait so long, but this one (--max-wait 120) does
# not wait for it, as it would not for a server that asked it to.
poke "$T/share" 24 q $(($(peek "$T/share" 16) + 3600000))
run "$T/share"
assert_eq "$(cat "$T/rc")" 0 "exit status, a hold an hour ahead"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l)" 5 \
    "rows, a hold an hour ahead"
assert_no_grep 'reset' "$T/err"

# A debt of 10^15 requests: 10^14 s at this rate.  Reset, said once.
poke "$T/share" 24 q 0
poke "$T/share" 48 d -1e15
run "$T/share"
assert_eq "$(cat "$T/rc")" 0 "exit status, a debt of 1e15"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l)" 5 \
    "rows, a debt of 1e15"
assert_eq "$(grep -c 'share.*reset' "$T/err")" 1 \
    "said once, a debt: $(cat "$T/err")"

# Not safe to use: refused before a request, the file left as it was.
# A symbolic link, even to a good file: it could point anywhere.
ln -s "$T/share" "$T/link"
cp "$T/share" "$T/before"
run "$T/link"
assert_eq "$(cat "$T/rc")" 2 "exit status, a symbolic link"
assert_grep 'share .*link.*symbolic link' "$T/err"
ln -s "$T/nothing" "$T/dangling"
run "$T/dangling"
assert_eq "$(cat "$T/rc")" 2 "exit status, a dangling link"
[ -e "$T/nothing" ] && fail "a file was made where a link points"
# Writable by others: anyone could have put anything in it.
chmod 0620 "$T/share"
run "$T/share"
assert_eq "$(cat "$T/rc")" 2 "exit status, group-writable"
assert_grep 'writable by others' "$T/err"
chmod 0600 "$T/share"
# A second name for it (a hard link someone made to a file of ours).
ln "$T/share" "$T/hard"
run "$T/hard"
assert_eq "$(cat "$T/rc")" 2 "exit status, a hard link"
assert_grep 'more than one name' "$T/err"
rm -f "$T/hard"
# A FIFO: refused at once, not a wait for a writer.
mkfifo "$T/fifo"
run "$T/fifo"
assert_eq "$(cat "$T/rc")" 2 "exit status, a FIFO"
assert_grep 'not a regular file' "$T/err"
# Another user's (as root, who can give it away).
if [ "$(id -u)" -eq 0 ]; then
	cp "$T/share" "$T/theirs"
	chown 65534 "$T/theirs"
	run "$T/theirs"
	assert_eq "$(cat "$T/rc")" 2 "exit status, another user's file"
	assert_grep 'owned by uid 65534' "$T/err"
fi
ok cmp -s "$T/share" "$T/before" || fail "a refused file was changed"
run "$T/share"
assert_eq "$(cat "$T/rc")" 0 "exit status, the file again"
