# --ordered: rows come out in input order whatever order they finish in,
# with skipped rows, bad lines and failures in their places; without it,
# completion order.
. "$(dirname "$0")/../lib.sh"
mock_start

awk 'BEGIN { for (i = 1; i <= 60; i++) {
	if (i % 10 == 3) print "bad line " i
	else if (i % 10 == 7) printf "{\"id\":%d,\"t\":\"[[status:400]]\"}\n", i
	else printf "{\"id\":%d,\"t\":\"[[sleep:%d]] r%d\"}\n", i, (61 - i) * 4, i } }' >"$T/in"
printf '5\n15\n' >"$T/done"
assert_status 1 "$ENRICH" -u "$URL" -j 60 --ordered -r 0 --skip-ids "$T/done" \
    -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" \
    "$(seq 1 60 | grep -vx -e 5 -e 15 | tr '\n' ' ')"
# The same without --ordered: the slow first rows come last.
assert_status 1 "$ENRICH" -u "$URL" -j 60 -r 0 -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null
ok [ "$(head -1 "$T/out" | jq -r .id)" != 1 ] || fail "completion order expected"

# With --errors, each file is in input order.
assert_status 1 "$ENRICH" -u "$URL" -j 60 -r 0 --ordered --errors "$T/err.jsonl" \
    -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null
assert_eq "$(jq -r .id "$T/err.jsonl" | tr '\n' ' ')" \
    "$(jq -r .id "$T/err.jsonl" | sort -n | tr '\n' ' ')"

# A row that takes long holds the rows after it, up to the bound (1024
# rows here), and then reading waits; then all of them come, in order.
awk 'BEGIN { pad = sprintf("%200s", ""); gsub(/ /, "x", pad);
    printf "{\"id\":1,\"t\":\"[[sleep:1500]]\"}\n";
    for (i = 2; i <= 5000; i++) printf "{\"id\":%d,\"t\":\"r\",\"pad\":\"%s\"}\n", i, pad }' >"$T/in"
"$ENRICH" -u "$URL" -j 16 --ordered -p '{{t}}' <"$T/in" >"$T/out" &
pid=$!
sleep 1
pos=$(awk '/^pos:/ { print $2 }' /proc/$pid/fdinfo/0)
wait $pid
# 1024 rows of 230 bytes, and one read of 64 KiB beyond them at most.
ok [ "$pos" -lt $((1024 * 230 + 65536 * 2)) ] ||
    fail "read $pos bytes while row 1 held the order"
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" "$(seq 1 5000 | tr '\n' ' ')"
