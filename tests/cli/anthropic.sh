# --anthropic: 50 rows with a system prompt against the Messages API,
# one row in ten answered 529 overloaded once: every row answered, exit 0,
# and nothing sent that the real API would refuse (the mock refuses what
# Anthropic refuses; the log shows what went).
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log" --stats "$T/stats" --require-key sk-ant-test
rows 50 | awk '{ if (NR % 10 == 0) sub(/"row [0-9]+/, "& [[status-once:529]]"); print }' \
    >"$T/in"
ANTHROPIC_API_KEY=sk-ant-test OPENAI_API_KEY=sk-openai-wrong \
    "$ENRICH" --anthropic -u "$URL" -m claude-test -s 'Answer briefly.' \
    -p '{{text}}' --stats-json "$T/st" <"$T/in" >"$T/out"
mock_stop
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | sort -un | wc -l)" 50
assert_eq "$(jq .rows_ok "$T/st")" 50
# 50 answers and 5 overloaded: nothing else, no 4xx.
assert_eq "$(jq -c '[.requests, .ok, .status_5xx, .status_4xx]' "$T/stats")" \
    '[55,50,5,0]'
assert_eq "$(jq .retries "$T/st")" 5
# Every request as Anthropic takes it.
assert_eq "$(jq -r .path "$T/log" | sort -u)" /v1/messages
assert_eq "$(jq -r '.headers["x-api-key"]' "$T/log" | sort -u)" sk-ant-test
assert_eq "$(jq -r '.headers.authorization // "none"' "$T/log" | sort -u)" none
assert_eq "$(jq -r '.headers["anthropic-version"]' "$T/log" | sort -u)" 2023-06-01
assert_eq "$(jq -r '.body | fromjson | [.model, .max_tokens, .system[0].text,
    (.messages | map(.role) | join(","))] | @tsv' "$T/log" | sort -u)" \
    "$(printf 'claude-test\t1024\tAnswer briefly.\tuser')"
# The key never shows up anywhere but its header.
assert_no_grep sk-ant-test "$T/out"
