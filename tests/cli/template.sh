# Templates: nested paths, array elements, the whole row, non-string values,
# escapes in arguments, files taken as written, and a system message.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"

row='{"id":1,"a":{"b":{"c":"deep"}},"items":["zero",{"k":"v"}],"n":4.5,"ok":true,"nil":null,"o":{"x": [1, 2]}}'
echo "$row" >"$T/in"
"$ENRICH" -u "$URL" --allow-empty \
    -p '{{a.b.c}}|{{items.0}}|{{items.1.k}}|{{n}}|{{ok}}|{{nil}}|{{o}}|\{{a}}|\\|x\ty\nz' \
    <"$T/in" >"$T/out"
assert_eq "$(jq -r .answer "$T/out")" \
    "$(printf 'deep|zero|v|4.5|true|null|{"x":[1,2]}|{{a}}|\\|x\ty\nz')"

"$ENRICH" -u "$URL" -p '{{.}}' <"$T/in" >"$T/out"
assert_eq "$(jq -r .answer "$T/out")" "$(echo "$row" | jq -c .)"

# A prompt file is taken as written: \n stays two characters.
printf 'File: {{a.b.c}} \\n {{items.0}}\n' >"$T/prompt.txt"
"$ENRICH" -u "$URL" -f "$T/prompt.txt" <"$T/in" >"$T/out"
assert_eq "$(jq -r .answer "$T/out")" "$(printf 'File: deep \\n zero\n')"

# The system message goes first, rendered from the row too.
: >"$T/log"
"$ENRICH" -u "$URL" -s 'You are {{a.b.c}}.' -p 'hi' <"$T/in" >/dev/null
assert_eq "$(jq -c '.body | fromjson | .messages' "$T/log")" \
    '[{"role":"system","content":"You are deep."},{"role":"user","content":"hi"}]'
printf 'System from file {{n}}' >"$T/sys.txt"
: >"$T/log"
"$ENRICH" -u "$URL" --system-file "$T/sys.txt" -p 'hi' <"$T/in" >/dev/null
assert_eq "$(jq -r '.body | fromjson | .messages[0].content' "$T/log")" \
    'System from file 4.5'

# Missing paths fail the row as "template", never render empty.
for p in '{{missing}}' '{{a.x}}' '{{items.5}}' '{{n.x}}'; do
	assert_status 1 "$ENRICH" -u "$URL" -p "$p" <"$T/in" >"$T/out" 2>"$T/err"
	assert_eq "$(jq -r .error.type "$T/out")" template "$p"
	assert_eq "$(jq -r .error.status "$T/out")" null "$p"
	assert_eq "$(jq -r .id "$T/out")" 1 "$p"
done
