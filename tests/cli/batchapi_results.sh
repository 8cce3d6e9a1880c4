# --batch-api's results judged as real time judges its answers: an
# expired, a failed batch, a status never heard of, every error type, a
# 500 and a re-ask in a later batch, --errors, --json, --meta, --labels,
# --skip-ids.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../batchlib.sh"
export OPENAI_API_KEY=sk-test

# An expired batch: its unanswered rows go again in a new batch.
fresh
batch_mock
rows 20 | sed 's/"row 3"/"row 3 [[batch-expire]]"/' >"$T/in"
run -v >"$T/out" 2>"$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 20 "rows after an expiry"
assert_eq "$(jq -r .id "$T/out" | sort -n | uniq | wc -l | tr -d ' ')" 20
assert_eq "$(jq -r 'select(.error) | .id' "$T/out" | wc -l | tr -d ' ')" 0 \
    "failed rows after an expiry"
assert_eq "$(count POST '/batches$')" 2 "batches after an expiry"
assert_grep 'batch_1 expired: 10 of 20 rows answered' "$T/err"
# The second batch held only the rows the first left unanswered.
jq -r 'select(.path | test("/files$")) | .body' "$T/log" |
    grep -o '"custom_id":"[0-9]*"' | tail -10 | tr -d '"' |
    sed 's/custom_id://' | tr '\n' ' ' >"$T/second"
assert_eq "$(cat "$T/second")" '11 12 13 14 15 16 17 18 19 20 '
# With -r 0 they are not sent again but written as errors.
fresh
batch_mock
assert_status 1 run -r 0 >"$T/out" 2>"$T/err"
assert_eq "$(jq -c 'select(.error) | .error.type' "$T/out" | sort | uniq -c |
    tr -s ' ')" ' 10 "http"'
assert_grep 'no answer from 1 batch' "$T/out"

# A failed batch (validation) is sent again, and every row answered.
fresh
batch_mock
rows 20 | sed 's/"row 3"/"row 3 [[batch-fail]]"/' >"$T/in"
run >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l | tr -d ' ')" 20
assert_grep 'batch_1 failed: mock: \[\[batch-fail\]\]' "$T/err"
assert_grep 'batch_1 failed: 0 of 20 rows answered' "$T/err"

# A status enrich never heard of (issue 23): said once, asked again,
# given up after five polls as a failed batch, its rows sent again.
fresh
batch_mock
rows 5 | sed 's/"row 3"/"row 3 [[batch-status:pondering]]"/' >"$T/in"
run >"$T/out" 2>"$T/err"
assert_eq "$(grep -c '"pondering" is not one enrich knows' "$T/err")" 1 \
    "an unknown status said"
assert_grep '"pondering" 5 times: given up' "$T/err"
assert_eq "$(jq -r 'select(.answer) | .id' "$T/out" | wc -l | tr -d ' ')" 5
assert_eq "$(count POST '/batches$')" 2 "batches after an unknown status"

# The error file: each row typed as a real-time run types it, with
# --errors, --json and --meta as they are in real time; a 500 is tried
# again in a later batch, as real time tries it again.
fresh
batch_mock
cat >"$T/in" <<'IN'
{"id":"a","text":"fine"}
{"id":"b","text":"[[status:400]]"}
{"id":"c","text":"[[finish:length]]"}
{"id":"d","text":"[[status:500]]"}
{"id":"e","text":"{\"k\":1}"}
IN
assert_status 1 run -r 1 >"$T/out" 2>"$T/err"
r() { jq -c --arg id "$1" "select(.id == \$id) | $2" "$T/out"; }
assert_eq "$(r a .answer)" '"fine"'
assert_eq "$(r b '[.error.type, .error.status, .error.message]')" \
    '["http",400,"mock status 400"]'
assert_eq "$(r c '.error.type')" '"truncated"'
assert_eq "$(r d '[.error.type, .error.status, .error.attempts]')" \
    '["http",500,2]'
assert_eq "$(count POST '/batches$')" 2 "batches for a 500 tried again"
# The same rows in real time: the same lines.
"$ENRICH" -r 1 -u "$URL" -p '{{text}}' <"$T/in" 2>/dev/null | sort >"$T/rt" ||
    true
sort "$T/out" >"$T/bt"
ok cmp -s "$T/rt" "$T/bt" || fail "error rows differ: $(diff "$T/rt" "$T/bt")"
fresh
assert_status 1 run -r 0 --errors "$T/errs" --meta >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" 'a e '
assert_eq "$(jq -r .id "$T/errs" | sort | tr '\n' ' ')" 'b c d '
assert_eq "$(r a '._meta | [.attempts, .prompt_tokens > 0]')" '[1,true]'
fresh
printf '{"id":"j","text":"{\\"x\\":2}"}\n' >"$T/in"
run --json >"$T/out" 2>"$T/err"
assert_eq "$(jq -c . "$T/out")" '{"id":"j","text":"{\"x\":2}","x":2}'
# --labels: an answer not in the list is asked again, in a later batch,
# as real time asks it again; then invalid_answer.
fresh
: >"$T/log"
rows 3 >"$T/in"
assert_status 1 run --labels 'row 1,row 2' --reask 1 --stats-json \
    "$T/stats" >"$T/out" 2>"$T/err"
assert_eq "$(jq -c '[.id, .answer, .error.type]' "$T/out" | sort |
    tr '\n' ' ')" '[1,"row 1",null] [2,"row 2",null] [3,null,"invalid_answer"] '
assert_eq "$(jq .reasks "$T/stats")" 1 "re-asks"
assert_eq "$(count POST '/batches$')" 2 "batches for a re-ask"
# Rows made again from the spool are not duplicates of themselves.
assert_no_grep 'duplicate ID' "$T/err"
# --skip-ids: rows done before are neither sent nor written.
fresh
rows 10 >"$T/in"
rows 4 | sed 's/}$/,"answer":"x"}/' >"$T/done"
run --skip-ids "$T/done" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .id "$T/out" | sort -n | tr '\n' ' ')" '5 6 7 8 9 10 '

