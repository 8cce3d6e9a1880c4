# -a FIELD through --batch-api (issue 24), files split by size:
# 66 rows of 2.4 MB pictures: 211 MB of request lines, more than one
# upload may hold (the mock refuses one over 200 MB, as OpenAI does),
# though --batch-size would take them all: two files, every row answered.
# (A mock without --log, which would copy every upload.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../attachlib.sh"
export OPENAI_API_KEY=sk-test
mock_start
mkdir "$T/big"
cd "$T/big"
attach_make 66 0 2400000
"$ENRICH" -v --batch-api "$T/st" --batch-poll 1 -u "$URL" -a photo \
    -p 'photo {{id}}' <in >"$T/out" 2>"$T/err"
attach_check "$T/out"
assert_eq "$(grep -c 'batch batch_[0-9]*: [0-9]* rows, file' "$T/err")" 2 \
    "uploads"
