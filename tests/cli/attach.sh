# -a FIELD with OpenAI's chat API (issue 24): 300 rows, each with its own
# PNG and every seventh also a PDF (the two as an array), paths relative
# to the working directory, -j 16: the mock decodes every part, checks its
# bytes against its media type, and answers with a hash of each, so each
# row's answer proves its own files' bytes were sent.  A URL goes through
# as a URL; a missing file, a text file named .png and a 25 MB file are
# rows of error type attachment, never sent, and the run exits 1.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../attachlib.sh"
export OPENAI_API_KEY=sk-test
mock_start --log "$T/log" --stats "$T/stats"
mkdir "$T/w"
cd "$T/w"
attach_make 300 7
"$ENRICH" -u "$URL" -j 16 -a photo -p 'photo {{id}}' <in >"$T/out" \
    2>"$T/err"
attach_check "$T/out"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 300 "rows written"
# Images as image_url data URLs; PDFs as file parts with their name.
jq -r '.body | fromjson | .messages[0].content[1:][] | .type' "$T/log" |
    sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ' >"$T/types"
assert_eq "$(cat "$T/types")" "file=42 image_url=300 "
jq -r '.body | fromjson | .messages[0].content[] | select(.type == "file") |
    .file.filename' "$T/log" | sort -n >"$T/names"
assert_eq "$(sort -un "$T/names" | wc -l | tr -d ' ')" 42 "PDF names"
assert_eq "$(head -1 "$T/names")" 7.pdf
assert_eq "$(jq -r '.body | fromjson | .messages[0].content[0].type' \
    "$T/log" | sort -u)" text

mock_stop
assert_eq "$(jq -c '[.requests, .ok, .status_4xx]' "$T/stats")" '[300,300,0]'

# A URL is sent as it is; the broken ones are rows of their own.
printf 'not a picture\n' >notes.png
python3 -c 'import sys; f = open("big.png", "wb"); f.write(b"\x89PNG\r\n\x1a\n"); f.truncate(25 * 1024 * 1024)'
mkfifo fifo.png
cat >in2 <<'EOR'
{"id":1,"photo":"https://example.com/p/1.jpg?s=2"}
{"id":2,"photo":"missing/2.png"}
{"id":3,"photo":"notes.png"}
{"id":4,"photo":"big.png"}
{"id":5,"photo":["img/5.png","missing.pdf"]}
{"id":6,"photo":"fifo.png"}
{"id":7}
{"id":8,"photo":"img/8.png"}
{"id":9,"photo":"https://example.com/x.pdf"}
EOR
# A data: URL: its bytes checked and sent as a file's (row 3's picture).
printf '{"id":10,"photo":"data:image/png;base64,%s"}\n' \
    "$(base64 -w0 img/3.png)" >>in2
mock_start --log "$T/log2" --stats "$T/stats2"
assert_status 1 "$ENRICH" -u "$URL" -a photo -p 'photo {{id}}' <in2 \
    >"$T/out2" 2>"$T/err2"
assert_eq "$(jq -r 'select(.id == 1) | .answer' "$T/out2")" \
    "photo 1 <url https://example.com/p/1.jpg?s=2>"
assert_eq "$(jq -r 'select(.error) | "\(.id) \(.error.type)"' "$T/out2" |
    sort -n | tr '\n' ' ')" \
    "2 attachment 3 attachment 4 attachment 5 attachment 6 attachment 7 attachment 9 attachment "
assert_grep '"-a photo: \\"missing/2.png\\": no such file"' "$T/out2"
assert_grep '"-a photo: \\"notes.png\\": not a PNG, JPEG, GIF, WebP or PDF' "$T/out2"
assert_grep '"-a photo: \\"big.png\\": too big: 26214400 bytes, more than --attach-max 20971520"' "$T/out2"
assert_grep '"-a photo: \\"missing.pdf\\": no such file"' "$T/out2"
assert_grep '"-a photo: \\"fifo.png\\": not a regular file"' "$T/out2"
assert_grep '"-a photo: no such field in the row"' "$T/out2"
assert_grep 'x.pdf\\": a PDF goes to the chat API as file data only' "$T/out2"
assert_eq "$(jq -r 'select(.id == 8) | .answer' "$T/out2")" \
    "$(awk -F '\t' '$1 == 8 { print $2 }' want)"
assert_eq "$(jq -r 'select(.id == 10) | .answer' "$T/out2")" \
    "$(awk -F '\t' '$1 == 3 { print $2 }' want | sed 's/^photo 3/photo 10/')"
mock_stop
# Only the three good rows went, and the server refused nothing.
assert_eq "$(jq -c '[.requests, .status_4xx]' "$T/stats2")" '[3,0]'
# --attach-max lets the big one through (to a 400 at the mock: its bytes
# are a PNG's signature and zeros, no header).
printf '{"id":4,"photo":"big.png"}\n' >in3
"$ENRICH" --dry-run --attach-max 30000000 -a photo -p 'x' <in3 >"$T/out3" 2>&1 ||
    true
assert_grep 'a damaged image/png: its header gives no size' "$T/out3"

# The mock does check: a PDF's bytes said to be a PNG are refused.
mock_start --stats "$T/stats4"
assert_status 1 "$ENRICH" -u "$URL" -r 0 --body '{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"image_url","image_url":{"url":"data:image/png;base64,JVBERi0xLjQK"}}]}]}' \
    <in3 >"$T/out4" 2>/dev/null
mock_stop
assert_grep 'does not match its media type' "$T/out4"

# Azure OpenAI takes the same parts, at its deployment's path.
mock_start --log "$T/log5"
head -14 in >in5
AZURE_OPENAI_API_KEY=az-key "$ENRICH" --azure -u "http://127.0.0.1:$PORT/" \
    -m dep -a photo -p 'photo {{id}}' <in5 >"$T/out5"
mock_stop
head -14 want >want5
jq -r '"\(.id)\t\(.answer)"' "$T/out5" | sort -n >"$T/got5"
ok cmp -s "$T/got5" want5 || fail "Azure: $(diff want5 "$T/got5" | head -3)"
assert_eq "$(jq -r .path "$T/log5" | sort -u)" \
    '/openai/deployments/dep/chat/completions?api-version=2024-10-21'

# What says the whole body itself takes no files; nor --escalate yet.
assert_status 2 "$ENRICH" -a photo --body '{"a":1}' <in3 2>"$T/err6"
assert_grep 'enrich: --attach: --body says the whole body' "$T/err6"
assert_status 2 "$ENRICH" -a photo --escalate big --labels a,b -p x <in3 2>"$T/err6"
assert_grep 'enrich: --attach: --escalate does not take files yet' "$T/err6"
assert_status 2 "$ENRICH" -a 'a{{b}}' -p x <in3 2>"$T/err6"
assert_grep 'enrich: --attach a{{b}}: not a field name' "$T/err6"

# The parts are as OpenAI's OpenAPI document has them (image_url, file,
# a URL), checked as openapi.sh checks the other bodies.
"$ENRICH" --dry-run -a photo -p 'photo {{id}}' <in5 2>/dev/null | jq -c .request \
    >"$T/bodies"
printf '{"id":1,"photo":["https://example.com/a.png","img/7.png"]}\n' |
    "$ENRICH" --dry-run -a photo -p 'x' 2>/dev/null | jq -c .request >>"$T/bodies"
python3 "$ROOT/tests/openapi/validate.py" "$ROOT/tests/openapi/schemas.json" \
    chat "$T/bodies" >"$T/res" || fail "OpenAPI: $(cat "$T/res")"
assert_eq "$(cat "$T/res")" "chat: 15 checked"
