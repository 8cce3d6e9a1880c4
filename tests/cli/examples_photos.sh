# examples/photos/tag.sh against the mock: every product's tags come from
# its own picture's bytes (the mock answers with their length and CRC-32),
# the URL goes as a URL; with --anthropic the same; a second run is all
# from its --cache; a picture gone is an attachment error and exit 1.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"
export OPENAI_BASE_URL="$URL" OPENAI_API_KEY=sk-test ANTHROPIC_API_KEY=sk-test
mkdir "$T/bin"
ln -s "$ENRICH" "$T/bin/enrich"
export PATH="$T/bin:$PATH"
cp -R "$ROOT/examples/photos" "$T/photos"
cd "$T/photos"

# want SKU FILE: the mark the mock gives FILE's bytes.
want() {
	python3 -c 'import sys, zlib; b = open(sys.argv[1], "rb").read(); print("<image/png %d %08x>" % (len(b), zlib.crc32(b)))' "$1"
}
check() {
	for p in mug-001:mug-red lamp-002:lamp-brass tee-003:tee-navy \
	    plant-004:plant-green; do
		sku=${p%%:*}
		assert_grep "^$sku	.*$(want "img/${p#*:}.png")" "$1"
	done
	assert_grep '^plant-004	.*<url https://example.com/catalog/plant-004-side.jpg>' "$1"
}
sh tag.sh >"$T/out1" 2>"$T/err1" || fail "tag.sh: $(cat "$T/err1")"
check "$T/out1"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 4 "requests"
sh tag.sh >"$T/out2" 2>"$T/err2" || fail "tag.sh again: $(cat "$T/err2")"
ok cmp -s "$T/out1" "$T/out2" || fail "the cached run differs"
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" 4 "requests after the cached run"

sh tag.sh --anthropic -u "$URL" >"$T/out3" 2>"$T/err3" ||
    fail "tag.sh --anthropic: $(cat "$T/err3")"
check "$T/out3"
assert_eq "$(jq -r .path "$T/log" | sort | uniq -c | awk '{ print $1 $2 }' |
    tr '\n' ' ')" "4/v1/chat/completions 4/v1/messages "

rm img/tee-navy.png
assert_status 1 sh tag.sh >"$T/out4" 2>/dev/null
assert_grep '^tee-003	error: -a photo: "img/tee-navy.png": no such file$' "$T/out4"

# The README's pipeline, run as written there: the fenced block after
# the words that name examples/photos.
cp "$ROOT/examples/photos/img/tee-navy.png" img/
awk '/examples\/photos\) tags product photos:/ { c = 1; next }
    c && /^```sh/ { next } c && /^```/ { exit } c { print }' \
    "$ROOT/README.md" >readme.sh
ok grep -q 'enrich .*-a photo' readme.sh || fail "no pipeline in the README: $(cat readme.sh)"
rm -f tagged.jsonl
sh readme.sh 2>"$T/err5" || fail "the README's pipeline: $(cat "$T/err5")"
assert_eq "$(jq -r 'select(.tags | test("<image/png [0-9]+ [0-9a-f]{8}>")) |
    .sku' tagged.jsonl | sort | paste -s -d ' ' -)" \
    "lamp-002 mug-001 plant-004 tee-003"
