# --anthropic requests: the Messages body (--dry-run shows it), max_tokens
# always and -P max_tokens over it, anthropic-version unless -H sets it,
# the key from $ANTHROPIC_API_KEY or -k as x-api-key and never as a Bearer
# token, and the options that do not fit refused.
. "$(dirname "$0")/../lib.sh"
echo '{"id":1,"t":"hi \"you\""}' >"$T/in"
"$ENRICH" --anthropic --dry-run -m c1 -s 'Be {{t}}' -p 'Q: {{t}}' \
    -P temperature=0 -P 'stop_sequences=["END"]' <"$T/in" >"$T/out"
assert_eq "$(jq -c .request "$T/out")" \
    '{"model":"c1","system":[{"type":"text","text":"Be hi \"you\""}],"messages":[{"role":"user","content":"Q: hi \"you\""}],"max_tokens":1024,"temperature":0,"stop_sequences":["END"]}'
"$ENRICH" --anthropic --dry-run -m c1 -p x -P max_tokens=7 <"$T/in" >"$T/out"
assert_eq "$(jq -c .request "$T/out")" \
    '{"model":"c1","messages":[{"role":"user","content":"x"}],"max_tokens":7}'
# --estimate counts the completion budget that is always sent.
"$ENRICH" --anthropic --estimate -p x <"$T/in" >"$T/out"
assert_grep 'completion budget  1024 a row' "$T/out"

assert_status 2 "$ENRICH" --anthropic --dry-run -p x -P max_completion_tokens=5 \
    <"$T/in" 2>"$T/err"
assert_grep 'max_tokens' "$T/err"
assert_status 2 "$ENRICH" --anthropic --dry-run -p x -P 'system="s"' \
    <"$T/in" 2>"$T/err"
assert_grep 'use -s' "$T/err"
assert_status 2 "$ENRICH" --anthropic --azure --dry-run -p x <"$T/in" 2>"$T/err"
assert_status 2 "$ENRICH" --anthropic --batch-output --dry-run -p x \
    <"$T/in" 2>"$T/err"

mock_start --log "$T/log"
# No key: refused before anything is sent, naming where it is looked for;
# OPENAI_API_KEY is another provider's.
OPENAI_API_KEY=sk-o assert_status 2 "$ENRICH" --anthropic -u "$URL" -p x \
    <"$T/in" 2>"$T/err"
assert_grep ANTHROPIC_API_KEY "$T/err"
ok [ ! -s "$T/log" ] || fail "a request went without a key"
# -k, and -H naming another anthropic-version: sent instead (were both
# sent, the log would show the later, enrich's own).
printf 'sk-file-key\n' >"$T/key"
"$ENRICH" --anthropic -u "$URL" -k "$T/key" -H 'anthropic-version: 2099-01-01' \
    -p '{{t}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r .answer "$T/out")" 'hi "you"'
assert_eq "$(jq -r '.headers["x-api-key"]' "$T/log")" sk-file-key
assert_eq "$(jq -r '.headers["anthropic-version"]' "$T/log")" 2099-01-01
assert_eq "$(jq -r '.headers.authorization // "none"' "$T/log")" none
mock_stop

# A wrong key: 401 stops the run, naming the variable, never the key.
mock_start --require-key right
ANTHROPIC_API_KEY=sk-wrong-123 assert_status 3 "$ENRICH" --anthropic \
    -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_grep 'HTTP 401' "$T/err"
assert_grep 'ANTHROPIC_API_KEY' "$T/err"
assert_no_grep sk-wrong-123 "$T/err"
