# --batch-api's memory does not grow with the input (issue 22): the rows
# wait on disk, uploads are read from it, result files (some 20 MB here)
# stream to it.  What still grows is what real time keeps too: the
# answers kept for later duplicates (dedup.h, at most DEDUP_KEEP bytes).
# So 60,000 rows through the mock's batches (one of 50,000, one of
# 10,000) peak within a few MB of real time for them: the Batch side's
# own memory is the index of a 50,000-row batch and the parked rows'
# keys: some 8.5 MB, now that real time keeps only 1 MiB of answers
# (issue 21; with 64 MiB kept, 44.6 MB against 37.7).
. "$(dirname "$0")/../lib.sh"
export OPENAI_API_KEY=sk-test

command -v /usr/bin/time >/dev/null || { echo "no /usr/bin/time: skipped"; exit 0; }
mock_start

# peak N [options]: enrich's peak RSS in kB for N rows, every row written.
peak() {
	n=$1
	shift
	rm -rf "$T/st" "$T/st.d"
	awk -v n="$n" 'BEGIN { for (i = 1; i <= n; i++)
	    printf "{\"id\":%d,\"text\":\"row %d of the input\"}\n", i, i }' \
	    >"$T/in"
	/usr/bin/time -f %M -o "$T/rss" "$ENRICH" -u "$URL" -p '{{text}}' \
	    "$@" <"$T/in" >"$T/out" 2>"$T/err" || fail "$n rows: $(cat "$T/err")"
	assert_eq "$(wc -l <"$T/out" | tr -d ' ')" "$n" "rows written"
	tail -1 "$T/rss"
}

big=$(peak 60000 --batch-api "$T/st" --batch-poll 1)
rt=$(peak 60000)
awk -v r="$rt" -v b="$big" 'BEGIN { exit !(b < r + 12288) }' ||
    fail "peak RSS $big kB for 60,000 rows in batches, $rt kB in real time"
