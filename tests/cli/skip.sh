# --skip-ids: rows listed as done are neither sent nor written; failed rows
# in an earlier output are redone; bare IDs work; "17" and 17 are one ID;
# a half-written last line is ignored with a warning, and one more on how
# to end it before appending.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

rows 10 >"$T/in"
printf '%s\n' '{"id":1,"text":"row 1","answer":"row 1"}' \
    '{"id":"2","text":"row 2","answer":"row 2"}' \
    '{"id":3,"text":"row 3","error":{"type":"http","status":500,"message":"x"}}' \
    '{"id":4,"text":"row 4","answer":"row 4","error":null}' >"$T/done"
printf '{"id":5,"text":"row 5","ans' >>"$T/done"
printf '6\n"7"\n  \n' >"$T/ids"
"$ENRICH" -u "$URL" -p '{{text}}' --skip-ids "$T/done" --skip-ids "$T/ids" \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out" | sort -n | tr '\n' ' ')" '3 5 8 9 10 '
assert_eq "$(wc -l <"$T/log")" 5 "requests sent"
assert_grep 'done: ignored 1 line without a usable ID' "$T/err"
assert_grep 'done does not end in a newline' "$T/err"
assert_eq "$(wc -l <"$T/err")" 2 "stderr lines"

# String IDs in the input, numbers in the done file, and the other way.
printf '{"id":"17","t":"a"}\n{"id":18,"t":"b"}\n{"id":"x","t":"c"}\n' >"$T/in2"
printf '17\n{"id":"18","answer":"b"}\nx\n' >"$T/done2"
"$ENRICH" -u "$URL" -p '{{t}}' --skip-ids "$T/done2" <"$T/in2" >"$T/out"
ok [ ! -s "$T/out" ] || fail "rows were not skipped: $(cat "$T/out")"

# Line-number IDs resume too: the resume pipeline, end to end.
printf '{"t":"a"}\n{"t":"b"}\n{"t":"c"}\n' >"$T/in3"
printf '{"t":"a","id":1,"answer":"a"}\n' >"$T/done3"
"$ENRICH" -u "$URL" -p '{{t}}' --skip-ids "$T/done3" <"$T/in3" >>"$T/done3"
assert_eq "$(jq -r .id "$T/done3" | sort | tr '\n' ' ')" '1 2 3 '

# With -i and --error-field, the done file is read with those names.
printf '{"k":"a","t":"1","err":{"type":"x"}}\n{"k":"b","t":"2","err":null,"answer":"2"}\n' >"$T/done4"
printf '{"k":"a","t":"1"}\n{"k":"b","t":"2"}\n' |
    "$ENRICH" -u "$URL" -i k --error-field err -p '{{t}}' \
    --skip-ids "$T/done4" >"$T/out"
assert_eq "$(jq -r .k "$T/out")" a
