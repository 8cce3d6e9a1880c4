# --expect FIELD: each answer against the row's right one; the accuracy,
# each label's precision and recall and the confusion counts in
# --stats-json, a line in --stats, whether each row agreed in _meta.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

# 400 rows: the model "small" is right with 0.97 on 360 of them and wrong
# with 0.55 on the other 40 (the done-when's first half).
awk 'BEGIN { for (i = 1; i <= 400; i++) printf "{\"id\":%d,\"gold\":\"cat\"," \
    "\"text\":\"row %d [[as:small=%s]] [[as:big=cat]]\"}\n", i, i,
    i % 10 == 0 ? "dog@0.55" : "cat@0.97" }' >"$T/in"
"$ENRICH" -u "$URL" -m small --expect gold --stats-json "$T/stats" \
    -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -c '.expect | [.rows, .agree, .accuracy]' "$T/stats")" \
    '[400,360,0.9]'
assert_eq "$(jq -c '.expect.labels[] | [.label, .expected, .answered, .precision, .recall]' "$T/stats" | tr '\n' ' ')" \
    '["cat",400,360,1,0.9] ["dog",0,40,0,null] '
assert_eq "$(jq -c '.expect.confusion[] | [.expected, .answered, .rows]' "$T/stats" | tr '\n' ' ')" \
    '["cat","cat",360] ["cat","dog",40] '
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 400

# --labels: both read by the labels' rules (case, quotes, a final
# period); --meta says whether each row agreed; --stats says it all.
printf '%s\n' '{"id":1,"gold":"CAT.","text":"a [[answer:cat]]"}' \
    '{"id":2,"gold":"dog","text":"b [[answer:Cat]]"}' \
    '{"id":3,"gold":"\"Dog\"","text":"c [[answer:dog]]"}' \
    '{"id":4,"gold":"bird","text":"d [[answer:dog]]"}' \
    '{"id":5,"text":"e [[answer:dog]]"}' \
    '{"id":6,"gold":null,"text":"f [[answer:dog]]"}' \
    '{"id":7,"gold":"cat","text":"g [[status:400]]"}' \
    '{"id":8,"gold":"cat","text":"h [[answer:mouse]]"}' \
    'not a row' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" --labels cat,dog --reask 0 --meta \
    --expect gold --stats --stats-json "$T/stats" -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c '[.id, .answer, ._meta.agree]' "$T/out" | sort | tr '\n' ' ')" \
    '[1,"cat",true] [2,"cat",false] [3,"dog",true] [4,"dog",false] [5,"dog",null] [6,"dog",null] [7,null,false] [8,null,false] [9,null,null] '
assert_eq "$(jq -c '.expect | [.rows, .agree, .accuracy, .failed, .unlabelled, .unlisted]' "$T/stats")" \
    '[6,2,0.3333,2,3,0]'
assert_eq "$(jq -c '.expect.labels[] | [.label, .expected, .answered, .agree, .precision, .recall]' "$T/stats" | tr '\n' ' ')" \
    '["cat",1,2,1,0.5,1] ["dog",2,2,1,0.5,0.5] ["bird",1,0,0,null,0] '
assert_eq "$(jq -c '.expect.confusion[] | [.expected, .answered, .rows]' "$T/stats" | tr '\n' ' ')" \
    '["cat","cat",1] ["dog","cat",1] ["dog","dog",1] ["bird","dog",1] '
assert_grep '^enrich: --expect: 2 of 6 rows agree, accuracy 0.3333 (2 failed; 3 rows without the field, not counted)$' "$T/err"
assert_grep '^enrich:   dog: precision 0.5000, recall 0.5000 (2 expected, 2 answered)$' "$T/err"

# Without --labels: the trimmed texts, exactly; a number by its text.
printf '%s\n' '{"id":1,"gold":" Yes ","text":"a [[answer:Yes\n]]"}' \
    '{"id":2,"gold":"yes","text":"b [[answer:Yes]]"}' \
    '{"id":3,"gold":3,"text":"c [[answer:3]]"}' >"$T/in"
"$ENRICH" -u "$URL" --meta --expect gold -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -c '[.id, ._meta.agree]' "$T/out" | sort | tr '\n' ' ')" \
    '[1,true] [2,false] [3,true] '
# A dry run measures nothing.
"$ENRICH" --expect gold --stats-json "$T/stats" --dry-run -p '{{text}}' \
    <"$T/in" >/dev/null
assert_eq "$(jq .expect "$T/stats")" null

# Usage: one answer against one field the answer does not overwrite.
assert_status 2 "$ENRICH" --expect gold --json -p x </dev/null 2>"$T/err"
assert_grep '^enrich: --expect compares one answer with the row.s field: --json does not apply' "$T/err"
printf '{"type":"object"}' >"$T/schema"
assert_status 2 "$ENRICH" --expect gold --schema "$T/schema" -p x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --expect answer -p x </dev/null 2>"$T/err"
assert_grep '^enrich: --expect answer: -o would write the answer over it' "$T/err"
assert_status 2 "$ENRICH" --expect '' -p x </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --expect gold --batch-input </dev/null 2>/dev/null
