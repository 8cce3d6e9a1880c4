# Lone surrogate escapes ("\ud800") in a row or an answer are written as
# U+FFFD, so every line stays readable by jq 1.6 and the man page's
# pipelines; a proper pair stays as it was.
. "$(dirname "$0")/../lib.sh"
mock_start	# echoes the prompt

printf '%s\n' '{"id":1,"t":"a\ud800b \ud83d\ude00 \\ud800 \udc00"}' \
    '{"id":2,"t":"x","n":"\uDBFF"}' >"$T/in"
"$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out"
assert_no_grep '\\ud800b' "$T/out"
assert_no_grep '\\udc00' "$T/out"
assert_no_grep '\\uDBFF' "$T/out"
assert_grep '\\ud83d\\ude00' "$T/out"
assert_grep '\\\\ud800' "$T/out"
assert_eq "$(jq -r 'select(.id == 1) | .answer' "$T/out")" \
    "$(printf 'a\357\277\275b \360\237\230\200 \\ud800 \357\277\275')"
assert_eq "$(jq -r 'select(.id == 2) | .n' "$T/out")" "$(printf '\357\277\275')"
"$ENRICH" --dry-run -p '{{t}}' <"$T/in" | jq -c . >/dev/null ||
    fail "dry run line unreadable"
