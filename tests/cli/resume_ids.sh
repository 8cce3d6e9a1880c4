# The resume path with awkward IDs: duplicate IDs lose no failed row, a
# row's own "error" column is data, IDs beyond 2^53 are warned of, and a
# --skip-ids file that is not earlier output or IDs is refused.
. "$(dirname "$0")/../lib.sh"
mock_start

# Two rows with ID 5, one ok and one failed; and a line-number ID (row 3)
# that equals another row's explicit ID 3.
printf '%s\n' '{"id":5,"t":"ok"}' '{"id":5,"t":"[[status-once:400]] x"}' \
    '{"t":"three by line"}' '{"id":3,"t":"three by id"}' >"$T/in"
"$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/done" 2>/dev/null || true
assert_eq "$(jq -r 'select(.error) | .id' "$T/done")" 5
"$ENRICH" -u "$URL" -p '{{t}}' --skip-ids "$T/done" <"$T/in" >"$T/again" \
    2>"$T/err"
assert_eq "$(jq -c '[.id, .answer]' "$T/again")" '[5,"[[status-once:400]] x"]'
assert_eq "$(cat "$T/err")" "enrich: duplicate ID 5: 2 rows have it; 1 done before (--skip-ids), the other done and written on its own"

# Rows with an "error" column of their own: done when answered; warned.
printf '%s\n' '{"id":1,"t":"a","error":"disk full"}' \
    '{"id":2,"t":"b","error":null}' >"$T/in"
"$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/done" 2>"$T/err"
assert_grep 'rows hold a field "error" of their own' "$T/err"
"$ENRICH" -u "$URL" -p '{{t}}' --skip-ids "$T/done" <"$T/in" >"$T/again" 2>/dev/null
ok [ ! -s "$T/again" ] || fail "answered rows sent again: $(cat "$T/again")"

# IDs beyond 2^53: said once.
printf '%s\n' '{"id":9007199254740993,"t":"a"}' '{"id":9007199254740995,"t":"b"}' \
    '{"id":9007199254740992,"t":"c"}' >"$T/in"
"$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(grep -c 'beyond 2^53' "$T/err")" 1
assert_grep 'ID 9007199254740993 is beyond 2^53' "$T/err"

# --skip-ids: gzip is refused; the input itself is refused; a file of
# input rows (no "answer") skips nothing, and says so.
rows 3 >"$T/in"
gzip -c "$T/in" >"$T/in.gz"
assert_status 2 "$ENRICH" -u "$URL" -p '{{text}}' --skip-ids "$T/in.gz" \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'neither JSON Lines nor IDs' "$T/err"
assert_status 2 "$ENRICH" -u "$URL" -p '{{text}}' --skip-ids "$T/in" \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'is the input itself' "$T/err"
cp "$T/in" "$T/copy"
"$ENRICH" -u "$URL" -p '{{text}}' --skip-ids "$T/copy" <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 3
assert_grep 'no line holds "answer"' "$T/err"
