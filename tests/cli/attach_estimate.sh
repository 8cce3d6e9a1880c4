# -a FIELD with --dry-run and --estimate (issue 24): the bodies as they
# would go, the file's bytes in them exactly; an image's tokens by the
# provider's rule from the width and height in its header (OpenAI: 765
# for 1000x600, four tiles; Anthropic: 800, its pixels over 750), and a
# PDF said to be uncounted.  (A part's JSON around its data counts as text:
# a few tokens a row.)
. "$(dirname "$0")/../lib.sh"
export OPENAI_API_KEY=sk-test ANTHROPIC_API_KEY=sk-ant-test
cd "$T"
python3 - <<'PY'
import struct, zlib
def chunk(t, d):
    return (struct.pack('>I', len(d)) + t + d +
            struct.pack('>I', zlib.crc32(t + d) & 0xffffffff))
raw = b''.join(b'\0' + b'\x10\x20\x30' * 1000 for _ in range(600))
open('p.png', 'wb').write(b'\x89PNG\r\n\x1a\n' +
    chunk(b'IHDR', struct.pack('>IIBBBBB', 1000, 600, 8, 2, 0, 0, 0)) +
    chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
open('d.pdf', 'wb').write(b'%PDF-1.4\n%%EOF\n')
PY
for i in 1 2 3; do printf '{"id":%d,"photo":"p.png"}\n' $i; done >in
for i in 1 2 3; do printf '{"id":%d,"photo":null}\n' $i; done >none

"$ENRICH" --dry-run -a photo -p 'Tag this.' <in >out
assert_eq "$(jq -r '.request.messages[0].content | map(.type) | join(",")' \
    out | sort -u)" "text,image_url"
jq -r '.request.messages[0].content[1].image_url.url' out | head -1 |
    sed 's/^data:image\/png;base64,//' | base64 -d >sent.png
ok cmp -s sent.png p.png || fail "the dry run's body does not hold the file"
"$ENRICH" --dry-run --anthropic -a photo -p 'Tag this.' <in >out
assert_eq "$(jq -r '.request.messages[0].content[1] |
    "\(.type) \(.source.type) \(.source.media_type)"' out | sort -u)" \
    "image base64 image/png"

# tokens [enrich options] <input: the estimate's prompt tokens.
tokens() {
	"$ENRICH" --estimate -a photo -p 'Tag {{id}}.' "$@" 2>"$T/err" |
	    sed -n 's/^prompt tokens *\([0-9]*\).*/\1/p'
}
with=$(tokens <in)
without=$(tokens <none)
d=$((with - without))
[ "$d" -ge $((3 * 765)) ] && [ "$d" -le $((3 * 765 + 90)) ] ||
    fail "OpenAI: $d tokens for three 1000x600 pictures, want about 2295"
with=$(tokens --anthropic <in)
without=$(tokens --anthropic <none)
d=$((with - without))
[ "$d" -ge $((3 * 800)) ] && [ "$d" -le $((3 * 800 + 90)) ] ||
    fail "Anthropic: $d tokens for three 1000x600 pictures, want about 2400"
assert_no_grep 'cannot count' "$T/err"
printf '{"id":1,"photo":["p.png","d.pdf"]}\n' | tokens >/dev/null
assert_grep 'not counted: enrich cannot count pages' "$T/err"
# A dry run alone counts nothing, so has nothing to say it cannot count.
printf '{"id":1,"photo":["p.png","d.pdf"]}\n' |
    "$ENRICH" --dry-run -a photo -p 'Tag {{id}}.' >/dev/null 2>"$T/err" ||
    fail "dry run with a PDF: $(cat "$T/err")"
assert_no_grep 'cannot count' "$T/err"

# A row asked again holds its picture in its body: the cost said of an
# answer without usage counts the picture as its tokens, not its base64
# (300 KB of it would be 100,000 tokens, $0.1 at $1 a million).
python3 - <<'PY'
import os, struct, zlib
def chunk(t, d):
    return (struct.pack('>I', len(d)) + t + d +
            struct.pack('>I', zlib.crc32(t + d) & 0xffffffff))
open('big.png', 'wb').write(b'\x89PNG\r\n\x1a\n' +
    chunk(b'IHDR', struct.pack('>IIBBBBB', 16, 16, 8, 2, 0, 0, 0)) +
    chunk(b'zzPd', os.urandom(300000)) +
    chunk(b'IDAT', zlib.compress(b'\0' * (16 * 49))) + chunk(b'IEND', b''))
PY
mock_start
printf '{"id":1,"photo":"big.png"}\n' |
    "$ENRICH" -u "$URL" -a photo --labels S3,EC2 --meta --price-in 1 \
    --price-out 1 -p '[[no-usage]] [[reask:bad|S3]] {{id}}' >out 2>err ||
    fail "re-asked row: $(cat err)"
mock_stop
assert_eq "$(jq -r '.answer' out)" S3
assert_eq "$(jq -r '._meta.cost_estimated' out)" true
assert_eq "$(jq -r '._meta.cost_usd < 0.01' out)" true
