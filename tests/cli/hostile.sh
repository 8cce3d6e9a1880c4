# What a hostile or broken server says reaches the user defanged and
# whole: control characters in its messages are shown, not obeyed, and a
# 200 that carries an error keeps the server's words.
. "$(dirname "$0")/../lib.sh"
mock_start

# A message that would retitle the terminal and forge a status line.
printf '%s\n' '{"id":1,"t":"[[status:400]] [[message:\u001b]0;TITLE\u0007\u001b[2K\rfake: all rows ok]]"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
if LC_ALL=C grep -q "$(printf '\033')" "$T/err"; then
	fail "an escape reached stderr: $(od -c "$T/err" | head -3)"
fi
LC_ALL=C grep -q "$(printf '\r')" "$T/err" && fail "a CR reached stderr"
assert_grep 'HTTP 400: \\033]0;TITLE\\a\\033\[2K\\rfake: all rows ok' "$T/err"
# The record keeps the message as it was, escaped as JSON.
assert_eq "$(jq -r .error.message "$T/out" | od -An -c | head -1 | tr -s ' ')" \
    "$(printf '\033]0;TITLE\007\033[2K\rfake: all ' | od -An -c | head -1 | tr -s ' ')"

# A 200 whose body is an error: its message, not "no choices".
echo '{"id":1,"t":"[[error-200]]"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -r 0 -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r .error.type "$T/out")" parse
assert_grep 'HTTP 200 with an error: The engine is currently overloaded' "$T/out"
