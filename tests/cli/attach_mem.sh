# -a FIELD's memory is bounded by what is in flight (issue 24): 120 rows
# of 2.4 MB pictures (288 MB in all) at -j 8, each answer proving its own
# bytes went; enrich's peak RSS stays under 160 MB.  A file is read when
# its row is sent, encoded once into its body, and let go with the row.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../attachlib.sh"
export OPENAI_API_KEY=sk-test
mock_start --latency 100 --stats "$T/stats"
mkdir "$T/w"
cd "$T/w"
attach_make 120 0 2400000
assert_eq "$(du -sm img | cut -f1)" 275 "MiB of pictures"
python3 - "$ENRICH" "$URL" "$T/out" "$T/rss" <<'PY'
import resource, subprocess, sys
enrich, url, out, rss = sys.argv[1:]
with open('in') as fin, open(out, 'w') as fout:
    rc = subprocess.call([enrich, '-u', url, '-j', '8', '-a', 'photo',
                          '-p', 'photo {{id}}'], stdin=fin, stdout=fout)
# ru_maxrss of the children waited for: enrich's own, in KiB.
open(rss, 'w').write('%d %d\n' % (rc, resource.getrusage(
    resource.RUSAGE_CHILDREN).ru_maxrss // 1024))
PY
mock_stop
read -r rc mb <"$T/rss"
assert_eq "$rc" 0 "exit status"
attach_check "$T/out"
assert_eq "$(jq .requests "$T/stats")" 120
! figures || ok [ "$mb" -lt 160 ] ||
    fail "peak RSS $mb MB, want under 160"
echo "peak RSS $mb MB" >&2
