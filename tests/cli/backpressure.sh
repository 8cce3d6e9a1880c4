# A consumer that stops reading stops enrich from reading: its memory stays
# bounded by the window, not the input.  When the consumer resumes, every
# row comes through.
. "$(dirname "$0")/../lib.sh"
mock_start

# 60,000 rows (4 MB): enrich blocks having read some 720 kB (its buffers
# and the pipe's), well under a quarter of it.
awk 'BEGIN { for (i = 1; i <= 60000; i++)
    printf "{\"id\":%d,\"text\":\"row %d with some more text to make it longer\"}\n", i, i }' \
    >"$T/in"
mkfifo "$T/out"
"$ENRICH" -u "$URL" -j 64 -p '{{text}}' <"$T/in" >"$T/out" &
pid=$!
exec 3<"$T/out"		# open the reader, then read nothing for a while
# Until its read position has stood still for half a second: blocked, on
# a loaded machine as on an idle one (a fixed sleep measured it wherever
# it had got to).
pos=-1
same=0
i=0
while [ "$same" -lt 5 ]; do
	sleep 0.1
	p=$(awk '/^pos:/ { print $2 }' /proc/$pid/fdinfo/0)
	if [ "$p" = "$pos" ]; then same=$((same + 1)); else same=0; fi
	pos=$p
	i=$((i + 1))
	[ $i -le 600 ] || fail "still reading after 60 s: at $pos"
done
rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$pid/status)
size=$(wc -c <"$T/in")
ok [ "$pos" -lt $((size / 4)) ] || fail "read $pos of $size bytes while blocked"
# (AddressSanitizer's shadow memory and quarantine are not ours to bound.)
ok [ -n "${SANITIZED:-}" ] || [ "$rss" -lt 40000 ] ||
    fail "RSS $rss kB while blocked"
n=$(cat <&3 | wc -l)
exec 3<&-
wait $pid
assert_eq "$n" 60000
