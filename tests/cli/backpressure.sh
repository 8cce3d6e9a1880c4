# A consumer that stops reading stops enrich from reading: its memory stays
# bounded by the window, not the input.  When the consumer resumes, every
# row comes through.
. "$(dirname "$0")/../lib.sh"
mock_start

awk 'BEGIN { for (i = 1; i <= 100000; i++)
    printf "{\"id\":%d,\"text\":\"row %d with some more text to make it longer\"}\n", i, i }' \
    >"$T/in"
mkfifo "$T/out"
"$ENRICH" -u "$URL" -j 64 -p '{{text}}' <"$T/in" >"$T/out" &
pid=$!
exec 3<"$T/out"		# open the reader, then read nothing for a while
sleep 2
pos=$(awk '/^pos:/ { print $2 }' /proc/$pid/fdinfo/0)
rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$pid/status)
size=$(wc -c <"$T/in")
ok [ "$pos" -lt $((size / 4)) ] || fail "read $pos of $size bytes while blocked"
# (AddressSanitizer's shadow memory and quarantine are not ours to bound.)
ok [ -n "${SANITIZED:-}" ] || [ "$rss" -lt 40000 ] ||
    fail "RSS $rss kB while blocked"
n=$(cat <&3 | wc -l)
exec 3<&-
wait $pid
assert_eq "$n" 100000
