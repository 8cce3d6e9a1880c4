# -a FIELD and --cache (issue 24): the key is the files' bytes, not their
# names.  A re-run sends nothing; after one picture changes, exactly one
# request, answered from its new bytes; the same picture (or PDF) under
# two names is asked once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../attachlib.sh"
export OPENAI_API_KEY=sk-test
mkdir "$T/w"
cd "$T/w"
attach_make 60 7

# run OUT [enrich options]: $requests is then how many the mock was
# sent (one mock: the URL is part of the key).
mock_start --log "$T/log"
run() {
	out=$1
	shift
	before=$(wc -l <"$T/log")
	"$ENRICH" -u "$URL" -j 8 --cache "$T/cache" -a photo "$@" \
	    >"$out" 2>>"$T/err"
	requests=$(($(wc -l <"$T/log") - before))
}

run "$T/out1" -p 'photo {{id}}' <in
assert_eq "$requests" 60 "first run"
attach_check "$T/out1"
run "$T/out2" -p 'photo {{id}}' <in
assert_eq "$requests" 0 "re-run"
attach_check "$T/out2"
# Row 17's picture changes (a byte after its end: still a PNG).
printf 'x' >>img/17.png
python3 - <<'PY'
import zlib
b = open('img/17.png', 'rb').read()
lines = open('want').read().splitlines()
lines[16] = '17\tphoto 17 <image/png %d %08x>' % (len(b), zlib.crc32(b))
open('want', 'w').write('\n'.join(lines) + '\n')
PY
run "$T/out3" -p 'photo {{id}}' <in
assert_eq "$requests" 1 "after one picture changed"
attach_check "$T/out3"

# The same bytes under other names: one request, in one run or the next.
cp img/3.png same-a.png
cp img/3.png same-b.png
cp doc/7.pdf same-a.pdf
cp doc/7.pdf same-b.pdf
printf '%s\n' '{"id":"a","photo":["same-a.png","same-a.pdf"]}' \
    '{"id":"b","photo":["same-b.png","same-b.pdf"]}' >in2
run "$T/out4" -p 'What is this?' <in2
assert_eq "$requests" 1 "two names, one run"
assert_eq "$(jq -r .answer "$T/out4" | sort -u | wc -l | tr -d ' ')" 1
printf '%s\n' '{"id":"c","photo":["img/3.png","doc/7.pdf"]}' >in3
run "$T/out5" -p 'What is this?' <in3
assert_eq "$requests" 0 "a third name, the next run"
assert_eq "$(jq -r .answer "$T/out5")" "$(jq -r 'select(.id == "a") | .answer' "$T/out4")"
