# --batch-api's memory does not grow with the input (issue 22): the rows
# wait on disk, uploads are read from it, result files stream to it and
# are read back a line at a time, the rows made again are taken a few
# hundred a turn as the output drains, and the answers kept for later
# duplicates are few (the rows parked follow their leaders instead).  So
# 200,000 rows through the mock's batches peak within a fifth of what
# 20,000 do.  Peak RSS is python3's getrusage(RUSAGE_CHILDREN): no
# /usr/bin/time on a new machine.
. "$(dirname "$0")/../lib.sh"
export OPENAI_API_KEY=sk-test

mock_start

# peak N: enrich's peak RSS in kB for N rows, every row written.
peak() {
	n=$1
	rm -rf "$T/st" "$T/st.d"
	awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "{\"id\":%d,\"text\":\"row %d of the input\"}\n", i, i }' \
	    >"$T/in"
	python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=f)
sys.exit(rc)' "$T/rss" "$ENRICH" -u "$URL" -p '{{text}}' \
	    --batch-api "$T/st" --batch-poll 1 <"$T/in" >"$T/out" 2>"$T/err" ||
	    fail "$n rows: $(cat "$T/err")"
	assert_eq "$(wc -l <"$T/out" | tr -d ' ')" "$n" "rows written"
	cat "$T/rss"
}

small=$(peak 20000)
big=$(peak 200000)
ok [ "$small" -gt 0 ] || fail "no peak RSS measured"
! figures ||
    awk -v s="$small" -v b="$big" 'BEGIN { exit !(b <= 1.2 * s) }' ||
    fail "peak RSS $big kB for 200,000 rows, $small kB for 20,000"
