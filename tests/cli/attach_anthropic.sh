# -a FIELD with --anthropic (issue 24): the rows of attach.sh as image and
# document blocks with base64 sources (a url source for a URL, a document
# for one ending in .pdf), every row's answer from its own files' bytes
# as the mock decoded them; bad files are attachment rows, exit 1.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../attachlib.sh"
export ANTHROPIC_API_KEY=sk-ant-test
mock_start --log "$T/log" --stats "$T/stats" --require-key sk-ant-test
mkdir "$T/w"
cd "$T/w"
attach_make 300 7
printf 'plain text\n' >notes.png
cp in in.all
cat >>in.all <<'EOR'
{"id":301,"photo":"https://example.com/a.webp"}
{"id":302,"photo":["https://example.com/c.PDF#p=2","img/1.png"]}
{"id":303,"photo":"notes.png"}
{"id":304,"photo":"nowhere.png"}
EOR
assert_status 1 "$ENRICH" --anthropic -u "$URL" -m claude-test -j 16 \
    -a photo -p 'photo {{id}}' <in.all >"$T/out" 2>"$T/err"
mock_stop
grep -v '"id":30[1-4]' "$T/out" >"$T/out300"
attach_check "$T/out300"
assert_eq "$(jq -r '.body | fromjson | .messages[0].content[1:][] |
    "\(.type)/\(.source.type)/\(.source.media_type)"' "$T/log" | sort |
    uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' ')" \
    "document/base64/application/pdf=42 document/url/null=1 image/base64/image/png=301 image/url/null=1 "
assert_eq "$(jq -r 'select(.id == 301) | .answer' "$T/out")" \
    "photo 301 <url https://example.com/a.webp>"
assert_eq "$(jq -r 'select(.id == 302) | .answer' "$T/out")" \
    "photo 302 <url https://example.com/c.PDF#p=2> $(awk -F '\t' '$1 == 1 { print $2 }' want | cut -d' ' -f3-)"
assert_eq "$(jq -r 'select(.error) | "\(.id) \(.error.type)"' "$T/out" |
    tr '\n' ' ')" "303 attachment 304 attachment "
assert_eq "$(jq -c '[.requests, .ok, .status_4xx]' "$T/stats")" '[302,302,0]'
