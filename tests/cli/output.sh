# Each row comes back as the input object byte for byte, with the answer
# added, or replaced where it stood, and the ID added when it was missing.
. "$(dirname "$0")/../lib.sh"
mock_start

cat >"$T/in" <<'IN'
{"id":1,"text":"alpha"}
{ "id" : 2 , "text" : "beta", "nested": {"a": [1, 2.50, true]} }
{"id":3,"answer":"old","text":"gamma","z":0}
{"id":4,"answer":1,"text":"delta","answer":2}
{"text":"no id"}
{"id":"s-6","text":"string id"}
{}
IN
# The empty object has no text: a template error.  Sorted by ID to compare.
assert_status 1 "$ENRICH" -u "$URL" -j 1 -p 'Q {{text}}' <"$T/in" >"$T/out" \
    2>"$T/err"
cat >"$T/want" <<'WANT'
{"id":1,"text":"alpha","answer":"Q alpha"}
{ "id" : 2 , "text" : "beta", "nested": {"a": [1, 2.50, true]} ,"answer":"Q beta"}
{"id":3,"answer":"Q gamma","text":"gamma","z":0}
{"id":4,"answer":"Q delta","text":"delta"}
{"text":"no id","id":5,"answer":"Q no id"}
{"id":"s-6","text":"string id","answer":"Q string id"}
{"id":7,"error":{"type":"template","status":null,"message":"no field \"text\" in the row","attempts":0}}
WANT
sort "$T/out" >"$T/got"
sort "$T/want" >"$T/want.sorted"
ok cmp "$T/got" "$T/want.sorted" || fail "output differs: $(diff "$T/got" "$T/want.sorted")"
assert_grep 'row 7: template' "$T/err"

# -o names the field; -i the ID field.
printf '{"key":"k1","text":"x","service":"old"}\n{"text":"y"}\n' |
    "$ENRICH" -u "$URL" -o service -i key -p '{{text}}' | sort >"$T/out"
cat >"$T/want" <<'WANT'
{"key":"k1","text":"x","service":"x"}
{"text":"y","key":2,"service":"y"}
WANT
ok cmp "$T/out" "$T/want" || fail "-o/-i: $(cat "$T/out")"

# Every line is valid JSON.
jq -c . "$T/out" >/dev/null
