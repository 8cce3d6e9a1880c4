# Memory is bounded by the window, not by the input (issue 21): 200,000
# distinct rows at -j 256 against an instant server peak under 32 MB, and
# within a few MB of 5,000 rows.  What a run keeps of finished rows is
# small (dedup.h: the last DEDUP_KEEP bytes of answers, seen.h: a fixed
# table of IDs); before, the answers kept grew to 64 MB and this run
# peaked near 100 MB.  The peak is the kernel's (getrusage of the child),
# read by python3, which every Debian has; /usr/bin/time may be missing.
. "$(dirname "$0")/../lib.sh"
# (AddressSanitizer's shadow memory and quarantine are not ours to bound.)
[ -z "${SANITIZED:-}" ] || exit 0
mock_start --answer hash

# peak N: enrich's peak RSS in kB for N distinct rows, every row written.
peak() {
	awk -v n="$1" -v s="a security alert about a storage bucket made public" \
	    'BEGIN { for (i = 1; i <= n; i++)
	    printf "{\"id\":%d,\"text\":\"row %d: %s\"}\n", i, i, s }' >"$T/in"
	python3 -c 'import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" %
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$T/rss" "$ENRICH" -u "$URL" -j 256 -p '{{text}}' \
	    <"$T/in" >"$T/out" 2>"$T/err" || fail "$1 rows: $(cat "$T/err")"
	assert_eq "$(wc -l <"$T/out" | tr -d ' ')" "$1" "rows written"
	cat "$T/rss"
}

small=$(peak 5000)
big=$(peak 200000)
echo "peak RSS: $small kB for 5,000 rows, $big kB for 200,000"
[ "$big" -lt 32768 ] || fail "peak RSS $big kB for 200,000 rows (bound 32 MB)"
[ "$big" -lt $((small + 8192)) ] ||
    fail "peak RSS $big kB for 200,000 rows, $small kB for 5,000"
