# --cache DIR and duplicates: a request is paid for once.  500 rows holding
# 100 prompts make 100 requests, with or without --cache; a re-run with
# the cache makes none and writes the same rows; two processes share one
# cache; a corrupt entry is a miss and is overwritten; what is not a
# success is not kept; the key follows the body, not the API key; and
# --estimate counts the requests, not the rows.
. "$(dirname "$0")/../lib.sh"

# One server for all: the URL is part of the key.  Its log has a line a
# request.
mock_start --log "$T/log" --latency 5
: >>"$T/log"

# requests ENRICH-ARGS...: run enrich on $T/in, print the requests it
# made; its exit status is in $T/rc.
requests() {
	before=$(wc -l <"$T/log")
	set +e
	"$ENRICH" -u "$URL" -p '{{text}}' "$@" <"$T/in" >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
	set -e
	echo $(($(wc -l <"$T/log") - before))
}

awk 'BEGIN { for (i = 1; i <= 500; i++)
    printf "{\"id\":%d,\"text\":\"prompt %d\"}\n", i, i % 100 }' >"$T/in"

# Duplicates share one request, without a cache too; each row is written,
# with its own ID, from the answer to its prompt.
assert_eq "$(requests -j 32 --stats-json "$T/st")" 100 "requests, no cache"
assert_eq "$(cat "$T/rc")" 0 "exit status"
assert_eq "$(wc -l <"$T/out")" 500 "rows written"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | sort -un |
    wc -l)" 500 "rows with their prompt's answer"
assert_eq "$(jq .shared "$T/st")" 400 "shared rows"
assert_eq "$(jq .cache_hits "$T/st")" 0 "cache hits, no cache"
sort "$T/out" >"$T/plain"

# With the cache: 100 again, then none, and the same rows.
assert_eq "$(requests --cache "$T/c" --stats-json "$T/st")" 100 \
    "requests, first run"
assert_eq "$(jq '.cache_hits + .shared' "$T/st")" 400 "duplicates saved"
sort "$T/out" >"$T/first"
ok cmp -s "$T/plain" "$T/first" || fail "a cached run wrote other rows"
assert_eq "$(find "$T/c" -type f | wc -l)" 100 "entries"
# Two levels of fan-out, and nothing but entries in them.
assert_eq "$(find "$T/c" -type f | grep -cE '/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$')" \
    100 "entries in DIR/ab/cd/HASH"
assert_eq "$(requests --cache "$T/c" --stats-json "$T/st" --stats)" 0 \
    "requests, second run"
sort "$T/out" >"$T/second"
ok cmp -s "$T/first" "$T/second" || fail "a re-run wrote other rows"
assert_eq "$(jq .cache_hits "$T/st")" 500 "cache hits"
assert_eq "$(jq '.prompt_tokens + .completion_tokens' "$T/st")" 0 \
    "tokens paid for on a re-run"
assert_grep '500 rows from --cache' "$T/err"

# --meta says which rows came from the cache; the entries hold no key.
requests --cache "$T/c" --meta -H 'X-Secret: hunter2' >/dev/null
assert_eq "$(jq -r '._meta.cached' "$T/out" | sort -u)" true "_meta.cached"
assert_eq "$(jq -r '._meta.attempts' "$T/out" | sort -u)" 0 "attempts"
! grep -rq hunter2 "$T/c" || fail "a header was stored"

# The key: another API key or header is the same request; another body
# field is not.
OPENAI_API_KEY=sk-another
export OPENAI_API_KEY
assert_eq "$(requests --cache "$T/c" -H 'X-Other: 1')" 0 "another API key"
unset OPENAI_API_KEY
assert_eq "$(requests --cache "$T/c" -P temperature=0)" 100 \
    "another body field"
assert_eq "$(requests --cache "$T/c" -m other-model)" 100 "another model"
assert_eq "$(requests --cache "$T/c" -s 'Be brief.')" 100 \
    "a system message"

# A corrupt or truncated entry is a miss, and is written again.
assert_eq "$(requests --cache "$T/k")" 100 "requests, a new cache"
f=$(find "$T/k" -type f | head -1)
head -c 100 "$f" >"$T/cut" && cat "$T/cut" >"$f"
g=$(find "$T/k" -type f | sed -n 2p)
sed 's/prompt/promqt/' "$g" >"$T/changed" && cat "$T/changed" >"$g"
assert_eq "$(requests --cache "$T/k" --stats-json "$T/st")" 2 \
    "requests with two bad entries"
sort "$T/out" >"$T/again"
ok cmp -s "$T/first" "$T/again" || fail "a bad entry was written out"
assert_eq "$(requests --cache "$T/k")" 0 "requests after the rewrite"

# Two processes at once share one directory: each writes every row, the
# entries are whole, and neither leaves a temporary file.
awk 'BEGIN { for (i = 1; i <= 300; i++)
    printf "{\"id\":%d,\"text\":\"shared %d\"}\n", i, i }' >"$T/in2"
before=$(wc -l <"$T/log")
"$ENRICH" -u "$URL" -j 16 -p '{{text}}' --cache "$T/s" <"$T/in2" \
    >"$T/o1" 2>"$T/e1" &
p1=$!
"$ENRICH" -u "$URL" -j 16 -p '{{text}}' --cache "$T/s" <"$T/in2" \
    >"$T/o2" 2>"$T/e2" &
p2=$!
wait $p1 || fail "first process: $(cat "$T/e1")"
wait $p2 || fail "second process: $(cat "$T/e2")"
ok [ $(($(wc -l <"$T/log") - before)) -le 600 ] || fail "more than two rounds"
for o in "$T/o1" "$T/o2"; do
	assert_eq "$(jq -r 'select(.answer == .text) | .id' "$o" | sort -un |
	    wc -l)" 300 "rows of a sharing process"
done
assert_eq "$(find "$T/s" -type f | wc -l)" 300 "shared entries"
assert_eq "$(find "$T/s" -name '*.tmp' | wc -l)" 0 "temporary files"
cp "$T/in2" "$T/in"
assert_eq "$(requests --cache "$T/s")" 0 "requests after sharing"

# Only successes are kept: a failed row is asked again next time.
printf '%s\n' '{"id":1,"text":"bad [[status:400]]"}' \
    '{"id":2,"text":"good"}' '{"id":3,"text":"good"}' >"$T/in"
assert_eq "$(requests --cache "$T/f")" 2 "requests: the 400 and one good"
assert_eq "$(cat "$T/rc")" 1 "exit status with a failed row"
assert_eq "$(requests --cache "$T/f")" 1 "requests: the failed row again"

# A cached answer that is not what is asked for now is a miss: --json
# wants an object, and the answer kept without --json is text.
printf '%s\n' '{"id":1,"text":"plain"}' >"$T/in"
requests --cache "$T/j" >/dev/null
ok [ "$(requests --cache "$T/j" --json)" -ge 1 ] ||
    fail "the kept text was taken for a --json answer"
assert_eq "$(cat "$T/rc")" 1 "exit status of --json on text"
assert_eq "$(jq -r .error.type "$T/out")" invalid_answer "the row's error"

# Duplicate failures: every row of the prompt gets the error, one request.
printf '%s\n' '{"id":1,"text":"x [[status:400]]"}' \
    '{"id":2,"text":"x [[status:400]]"}' >"$T/in"
assert_eq "$(requests)" 1 "requests for two equal rows"
assert_eq "$(jq -r .error.status "$T/out" | sort -u)" 400 "both failed"

# --estimate counts distinct requests, and those the cache answers.
awk 'BEGIN { for (i = 1; i <= 500; i++)
    printf "{\"id\":%d,\"text\":\"prompt %d\"}\n", i, i % 100 }' >"$T/in"
"$ENRICH" -u "$URL" --estimate -p '{{text}}' <"$T/in" >"$T/est"
assert_grep '^rows  *100$' "$T/est"
assert_grep '^saved  *400 duplicates sent once, 0 from the cache' "$T/est"
"$ENRICH" -u "$URL" --estimate -p '{{text}}' --cache "$T/c" <"$T/in" >"$T/est"
assert_grep '^rows  *0$' "$T/est"
assert_grep '^saved  *400 duplicates sent once, 100 from the cache' "$T/est"

# A cache that cannot be used stops the run before it starts.
: >"$T/file"
assert_status 2 "$ENRICH" -u "$URL" -p x --cache "$T/file" </dev/null \
    2>"$T/err"
assert_grep 'enrich: --cache .*file: not a directory' "$T/err"
