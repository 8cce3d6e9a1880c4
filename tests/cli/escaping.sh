# Prompts travel JSON-escaped and come back decoded: quotes, backslashes,
# control characters, emoji and other UTF-8; invalid UTF-8 in an input line
# gives an input error record that is itself valid JSON.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

printf '%s\n' \
    '{"id":1,"t":"say \"hi\" \\ back\\slash"}' \
    '{"id":2,"t":"tab\there\nnewline\r\u0001\u001f\u007f"}' \
    '{"id":3,"t":"caf\u00e9 \ud83d\ude00 \u2028 日本語 😀"}' \
    '{"id":4,"t":"</script> \/ {{not a placeholder}}"}' \
    '{"id":5,"t":""}' >"$T/in"
printf '{"id":6,"t":"bad \377 byte"}\n' >>"$T/in"
printf '{"id":7,"t":"nul \000 byte"}\n' >>"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -p '<{{t}}>' <"$T/in" >"$T/out" 2>"$T/err"
ok [ "$(wc -l <"$T/out")" -eq 7 ] || fail "want 7 lines: $(cat "$T/out")"
ok jq -c . "$T/out" >/dev/null || fail "output is not valid JSON"
# The answer (the mock echoes the prompt) is the rendered template; an
# empty field is not sent (empty.sh).
assert_eq "$(jq -r 'select(.id == 5) | .error.type' "$T/out")" template
for i in 1 2 3 4; do
	want=$(jq -r --argjson i "$i" 'select(.id == $i) | "<" + .t + ">"' "$T/in")
	got=$(jq -r --argjson i "$i" 'select(.id == $i) | .answer' "$T/out")
	assert_eq "$got" "$want" "row $i"
done
# What the server received is valid JSON with the same text.
jq -r '.body | fromjson | .messages[0].content' "$T/log" >/dev/null
# Invalid UTF-8 and NUL: input errors, the raw line kept with U+FFFD.
assert_eq "$(jq -r 'select(.id == 6) | .error.type' "$T/out")" input
assert_eq "$(jq -r 'select(.id == 6) | .line' "$T/out")" \
    "$(printf '{"id":6,"t":"bad \357\277\275 byte"}')"
assert_eq "$(jq -r 'select(.id == 7) | .error.type' "$T/out")" input
assert_eq "$(jq -c 'select(.id == 7) | .line' "$T/out")" \
    '"{\"id\":7,\"t\":\"nul \u0000 byte\"}"'
