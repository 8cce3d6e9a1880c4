# The API key: from $OPENAI_API_KEY or --api-key-file, sent as a Bearer
# header, required only for OpenAI itself, and never shown on stderr.
. "$(dirname "$0")/../lib.sh"

key=sk-test-SECRET-0123456789
mock_start --log "$T/log" --require-key "$key"

# No key with the default URL: status 2 and how to set one.
echo '{"text":"x"}' >"$T/in"
assert_status 2 "$ENRICH" -p x <"$T/in" 2>"$T/err"
assert_grep 'OPENAI_API_KEY' "$T/err"
OPENAI_BASE_URL=https://api.openai.com/v1/ \
    assert_status 2 "$ENRICH" -p x <"$T/in" 2>"$T/err"

# From the environment.
OPENAI_API_KEY=$key "$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r .answer "$T/out")" x
assert_eq "$(jq -r '.headers.authorization' "$T/log")" "Bearer $key"

# From a file: its first line, trailing blanks and CRLF dropped.
printf '%s \r\nsecond line\n' "$key" >"$T/keyfile"
: >"$T/log"
"$ENRICH" -u "$URL" -k "$T/keyfile" -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r '.headers.authorization' "$T/log")" "Bearer $key"
assert_status 2 "$ENRICH" -u "$URL" -k /dev/null -p x <"$T/in" 2>"$T/err"
printf 'a\001b\n' >"$T/badkey"
assert_status 2 "$ENRICH" -u "$URL" -k "$T/badkey" -p x <"$T/in" 2>"$T/err"

# A wrong key stops the run (status 3) and is never echoed, even with -v.
OPENAI_API_KEY=sk-wrong-KEY-987 assert_status 3 "$ENRICH" -v -u "$URL" \
    -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_grep '401' "$T/err"
assert_no_grep 'sk-wrong-KEY-987' "$T/err"
assert_no_grep 'sk-wrong' "$T/out"

# A key with -H Authorization is ambiguous: refused.
OPENAI_API_KEY=$key assert_status 2 "$ENRICH" -u "$URL" \
    -H 'Authorization: Basic x' -p x <"$T/in" 2>"$T/err"
assert_no_grep "$key" "$T/err"

# No key with a local server: no Authorization header at all.
mock_stop
mock_start --log "$T/log2"
"$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r '.headers.authorization // "none"' "$T/log2")" none
