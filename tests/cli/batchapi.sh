# --batch-api STATE: the rows through the Files and Batches APIs of the
# mock, written exactly as a real-time run writes them; a run killed at
# any moment and started again with the same command submits no row
# twice and loses none.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../batchlib.sh"
export OPENAI_API_KEY=sk-test

rows 200 >"$T/in"

# The whole stream: 4 uploads, 4 batches, no real-time request.
batch_mock
run -v >"$T/out" 2>"$T/err"
every_row_once 200 "$T/out"
assert_eq "$(count POST '/files$')" 4 "uploads"
assert_eq "$(count POST '/batches$')" 4 "batches"
assert_eq "$(count POST 'chat/completions')" 0 "real-time requests"
assert_eq "$(grep -c '^{"up"' "$T/st")" 4 "files in STATE"
assert_eq "$(grep -c '^{"ended"' "$T/st")" 4 "files ended in STATE"
assert_grep '^{"enrich":"batch-2","settings":{"model":' "$T/st"
assert_grep 'batch_1: completed' "$T/err"
# What is written is gone from STATE.d.
assert_eq "$(ls "$T/st.d" | wc -l | tr -d ' ')" 0 "files left in STATE.d"
# The upload is multipart, purpose=batch, and holds Batch request lines
# whose custom_ids are the rows' places in the input.
jq -r 'select(.path | test("/files$")) | .headers["content-type"]' \
    "$T/log" | head -1 >"$T/ct"
assert_grep '^multipart/form-data; boundary=' "$T/ct"
jq -r 'select(.path | test("/files$")) | .body' "$T/log" >"$T/upload"
assert_grep 'name="purpose"' "$T/upload"
assert_grep '{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":\[{"role":"user","content":"row 1"}\]}}' "$T/upload"
# The same output as real time, row for row.
"$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" | sort >"$T/rt"
sort "$T/out" >"$T/bt"
ok cmp -s "$T/rt" "$T/bt" || fail "batch output differs from real time"
# Done: a re-run with the same input sends nothing and writes nothing.
: >"$T/log"
run >"$T/out2" 2>"$T/err"
assert_eq "$(wc -c <"$T/out2" | tr -d ' ')" 0 "a finished STATE's output"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 0 "a finished STATE's requests"
assert_grep 'every row of the input was written by an earlier run' "$T/err"
# More input (issue 23 D04): only the new rows go, in a batch of their own.
rows 230 >"$T/in"
run >"$T/out2" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out2" | sort -n | head -1)" 201 "first new row"
assert_eq "$(wc -l <"$T/out2" | tr -d ' ')" 30 "new rows written"
assert_eq "$(uploaded | wc -l | tr -d ' ')" 30 "new rows uploaded"
# Another input in the lines STATE accounted for: refused, said.
rows 230 | sed 's/"row 7"/"row seven"/' >"$T/in"
assert_status 1 run >"$T/out2" 2>"$T/err"
assert_grep 'first 230 lines are not those it was made with' "$T/err"
rows 100 >"$T/in"
assert_status 1 run >"$T/out2" 2>"$T/err"
assert_grep 'has 100 lines, fewer than the 230' "$T/err"
# Another prompt (D03): refused at the start, naming what changed.
rows 230 >"$T/in"
assert_status 2 run -s 'Be brief.' >"$T/out2" 2>"$T/err"
assert_grep 'made by a run with another system' "$T/err"
assert_status 2 "$ENRICH" --batch-api "$T/st" -u "$URL" -p '{{text}}!' \
    -m gpt-4o <"$T/in" >"$T/out2" 2>"$T/err"
assert_grep 'another model, prompt' "$T/err"
assert_eq "$(wc -c <"$T/out2" | tr -d ' ')" 0 "a refused run's output"
# A STATE of the earlier release: named.
printf '{"file":"file-1","ids":["1"]}\n' >"$T/old"
assert_status 2 "$ENRICH" --batch-api "$T/old" -u "$URL" -p x <"$T/in" \
    >/dev/null 2>"$T/err"
assert_grep 'a STATE of an earlier enrich' "$T/err"


# Azure: the same requests under /openai, with its api-version and key.
fresh
batch_mock
rows 3 >"$T/in"
AZURE_OPENAI_API_KEY=az-key "$ENRICH" --azure -u "${URL%/v1}" -m dep \
    --batch-api "$T/st" --batch-poll 1 -p '{{text}}' <"$T/in" >"$T/out" \
    2>"$T/err"
assert_eq "$(jq -r .answer "$T/out" | sort | tr '\n' ' ')" 'row 1 row 2 row 3 '
assert_eq "$(jq -r 'select(.method == "POST") | .path' "$T/log" | sort |
    tr '\n' ' ')" '/openai/batches?api-version=2024-10-21 /openai/files?api-version=2024-10-21 '
assert_eq "$(jq -r '.headers["api-key"]' "$T/log" | sort -u)" az-key
jq -r .body "$T/log" >"$T/bodies"
assert_grep '"url":"/chat/completions","body":{"model":"dep"' "$T/bodies"

# A key the API refuses stops the run at the upload, with status 3.
fresh
mock_start --require-key sk-right
assert_status 3 "$ENRICH" --batch-api "$T/st" -u "$URL" -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'upload: HTTP 401' "$T/err"
assert_eq "$(wc -c <"$T/out" | tr -d ' ')" 0

# A dry run prints the request lines; it sends nothing, and makes no
# STATE.  --estimate halves the price.
fresh
: >"$T/log"
rows 3 >"$T/in"
"$ENRICH" --dry-run --batch-api "$T/st" -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(head -1 "$T/out")" \
    '{"custom_id":"1","method":"POST","url":"/v1/chat/completions","body":{"model":"gpt-4o-mini","messages":[{"role":"user","content":"row 1"}]}}'
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 3
ok [ ! -e "$T/st" ] || fail "a dry run made STATE"
"$ENRICH" --estimate --price-in 100000 --price-out 100000 -P max_tokens=1000 \
    -p '{{text}}' <"$T/in" | grep cost >"$T/rt"
"$ENRICH" --estimate --batch-api "$T/st" --price-in 100000 --price-out 100000 \
    -P max_tokens=1000 -p '{{text}}' <"$T/in" | grep cost >"$T/bt"
rt=$(sed -n 's/.*\$\([0-9.]*\) in.*/\1/p' "$T/rt")
bt=$(sed -n 's/.*\$\([0-9.]*\) in.*/\1/p' "$T/bt")
assert_eq "$(awk -v a="$rt" -v b="$bt" 'BEGIN { print (b * 2 == a && a > 0) }')" \
    1 "the Batch estimate's input cost ($bt) half of $rt"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 0 "a dry run's requests"

# Usage errors.
assert_status 2 "$ENRICH" --batch-api "$T/st" --ordered -p x </dev/null \
    2>/dev/null
assert_status 2 "$ENRICH" --batch-api "$T/st" --batch-size 50001 -p x \
    </dev/null 2>/dev/null
assert_status 2 "$ENRICH" --batch-cancel "$T/st" --batch-api "$T/st" \
    </dev/null 2>/dev/null
# Pacing is the provider's: a pace of one's own is refused, named.
assert_status 2 "$ENRICH" --batch-api "$T/st-x" --rpm 10 -p x </dev/null \
    2>"$T/err"
assert_grep 'rpm does not apply' "$T/err"

# Batches live at one provider, OpenAI's or Azure's.
assert_status 2 "$ENRICH" --batch-api "$T/st-x" --anthropic -p x </dev/null 2>"$T/err"
assert_grep 'not supported yet' "$T/err"
assert_status 2 "$ENRICH" --batch-api "$T/st-x" -u "$URL" -u "$URL/" -p x </dev/null 2>"$T/err"
assert_grep 'one -u only' "$T/err"
ok [ ! -e "$T/st-x" ] || fail "a refused run made its STATE"
