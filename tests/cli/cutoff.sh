# A checkpoint whose last line was cut off (kill -9 mid-write): appending
# to it with >> ends that line first; any other resume says how to fix it.
# And a second signal finishes the line being written before leaving.
. "$(dirname "$0")/../lib.sh"
mock_start

rows 3 >"$T/in"
printf '%s\n%s' '{"id":1,"text":"row 1","answer":"row 1"}' '{"id":2,"te' >"$T/done"
"$ENRICH" -u "$URL" --skip-ids "$T/done" -p '{{text}}' <"$T/in" >>"$T/done" \
    2>"$T/err"
assert_no_grep "newline" "$T/err"
assert_eq "$(grep -c '^{"id":2,"te$' "$T/done")" 1 "the cut line, alone"
assert_eq "$(jq -R 'fromjson? | .id' "$T/done" 2>/dev/null | sort -n | tr '\n' ' ')" '1 2 3 '

printf '%s\n%s' '{"id":1,"text":"row 1","answer":"row 1"}' '{"id":2,"te' >"$T/done2"
"$ENRICH" -u "$URL" --skip-ids "$T/done2" -p '{{text}}' <"$T/in" \
    2>"$T/err" | tee -a "$T/done2" >/dev/null
assert_grep "does not end in a newline" "$T/err"
assert_grep "echo >> $T/done2" "$T/err"

# Big rows, a slow reader, two SIGINTs: whole lines only.
x=$(head -c 300000 /dev/zero | tr '\0' x)
for i in $(seq 1 40); do printf '{"id":%d,"text":"%s"}\n' "$i" "$x"; done >"$T/big"
mkfifo "$T/pipe"
{ sleep 1; dd bs=4096 2>/dev/null; } <"$T/pipe" >"$T/out" &
reader=$!
"$ENRICH" -u "$URL" -j 40 -p '{{text}}' <"$T/big" >"$T/pipe" 2>/dev/null &
pid=$!
sleep 0.7
kill -INT $pid
sleep 0.1
kill -INT $pid
wait $pid 2>/dev/null || true
wait $reader
n=$(wc -l <"$T/out")
ok [ "$n" -gt 0 ] || fail "nothing written"
# Every line whole, and nothing after the last newline.
assert_eq "$(jq -c .id "$T/out" | wc -l)" "$n"
assert_eq "$(tail -c 1 "$T/out" | od -An -c | tr -d ' ')" '\n'
