# -a FIELD through --batch-api (issue 24): the same parts inside the
# Batch request lines, answered from each row's own files' bytes
# (attach_batch_split.sh: files split by size).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../attachlib.sh"
. "$(dirname "$0")/../batchlib.sh"
export OPENAI_API_KEY=sk-test
mkdir "$T/w"
cd "$T/w"
attach_make 300 7
batch_mock
"$ENRICH" --batch-api "$T/st" --batch-size 100 --batch-poll 1 -u "$URL" \
    -a photo -p 'photo {{id}}' <in >"$T/out" 2>"$T/err"
attach_check "$T/out"
assert_eq "$(count POST '/files$')" 3 "uploads"
assert_eq "$(count POST 'chat/completions')" 0 "real-time requests"
uploaded | jq -r '.body.messages[0].content[1:][] | .type' | sort | uniq -c |
    awk '{ print $2 "=" $1 }' | tr '\n' ' ' >"$T/types"
assert_eq "$(cat "$T/types")" "file=42 image_url=300 "
# A row's answer is judged from its input read again: its ID is not a
# duplicate of itself.
assert_no_grep 'duplicate ID' "$T/err"
