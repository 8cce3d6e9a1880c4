# --sample N%: rows kept by a hash of their ID, the same rows in every run,
# a smaller sample inside a larger one; the rule the man page gives
# reproduces the set; rows outside are neither written nor skipped, and
# --stats counts them.
. "$(dirname "$0")/../lib.sh"
mock_start --answer hash --log "$T/log"

awk 'BEGIN { for (i = 1; i <= 3000; i++)
    printf "{\"id\":\"row-%05d\",\"text\":\"text %d\"}\n", i, i }' >"$T/in"
"$ENRICH" -u "$URL" -p '{{text}}' --sample 10% --stats \
    --stats-json "$T/stats" <"$T/in" >"$T/out1" 2>"$T/err"
"$ENRICH" -u "$URL" -p '{{text}}' --sample 10% <"$T/in" >"$T/out2"
"$ENRICH" -u "$URL" -p '{{text}}' --sample 20% <"$T/in" >"$T/out3"
jq -r .id "$T/out1" | sort >"$T/set1"
jq -r .id "$T/out2" | sort >"$T/set2"
jq -r .id "$T/out3" | sort >"$T/set3"
n=$(wc -l <"$T/set1" | tr -d ' ')
[ "$n" -ge 240 ] && [ "$n" -le 360 ] || fail "10% of 3000 rows: $n"
ok cmp -s "$T/set1" "$T/set2" || fail "two runs, two samples"
assert_eq "$(comm -23 "$T/set1" "$T/set3" | wc -l | tr -d ' ')" 0 \
    "rows of the 10% sample outside the 20% one"
n3=$(wc -l <"$T/set3" | tr -d ' ')
ok [ "$n3" -ge 510 ] && [ "$n3" -le 690 ] || fail "20% of 3000 rows: $n3"
# Only the sample is sent; the rest are counted, not skipped.
assert_eq "$(wc -l <"$T/log" | tr -d ' ')" "$((n + n + n3))" "requests"
assert_eq "$(jq .rows_outside_sample "$T/stats")" "$((3000 - n))"
assert_eq "$(jq .rows_skipped "$T/stats")" 0
assert_eq "$(jq .rows_ok "$T/stats")" "$n"
assert_grep "; $((3000 - n)) outside the sample" "$T/err"

# The rule, as the man page gives it, elsewhere: the first 8 bytes of
# SHA-256 of the ID, big-endian, modulo 10^6, under N * 10^4.
python3 -c '
import hashlib, json, sys
for line in open(sys.argv[1]):
    i = json.loads(line)["id"]
    h = int.from_bytes(hashlib.sha256(i.encode()).digest()[:8], "big")
    if h % 10**6 < 0.5 * 10**4:
        print(i)' "$T/in" | sort >"$T/want"
"$ENRICH" -p '{{text}}' --sample 0.5% --dry-run <"$T/in" | jq -r .id |
    sort >"$T/got"
ok [ -s "$T/want" ] || fail "no row in a 0.5% sample"
ok cmp -s "$T/want" "$T/got" || fail "the documented rule and --sample differ"

# An ID is its value, however written; without one, the line number:
# rows without IDs are sampled as rows whose IDs are their line numbers.
awk 'BEGIN { for (i = 1; i <= 500; i++) printf "{\"t\":\"%d\"}\n", i }' \
    >"$T/noid"
awk 'BEGIN { for (i = 1; i <= 500; i++)
    printf "{\"id\":\"%d\",\"t\":\"%d\"}\n", i, i }' >"$T/strid"
"$ENRICH" -p '{{t}}' --sample 30% --dry-run <"$T/noid" | jq -r .id >"$T/a"
"$ENRICH" -p '{{t}}' --sample 30% --dry-run <"$T/strid" | jq -r .id >"$T/b"
ok [ -s "$T/a" ] || fail "no row without an ID in a 30% sample"
ok cmp -s "$T/a" "$T/b" || fail "line numbers and their IDs sample apart"
# A broken line is sampled by its number too.
awk 'BEGIN { for (i = 1; i <= 500; i++) print "not json" }' >"$T/bad"
"$ENRICH" -p '{{t}}' --sample 30% --dry-run <"$T/bad" 2>/dev/null |
    jq -r .id >"$T/c" || true
ok cmp -s "$T/a" "$T/c" || fail "broken lines and their numbers sample apart"

# --skip-ids counts the rows of the sample it skips, not the others;
# --ordered keeps the sample's order; --estimate counts the sample.
head -n 100 "$T/set1" >"$T/done"
jq -r .id "$T/in" | head -n 50 >>"$T/done"
"$ENRICH" -u "$URL" -p '{{text}}' --sample 10% --skip-ids "$T/done" \
    --ordered --stats-json "$T/stats" <"$T/in" >"$T/out"
assert_eq "$(jq .rows_skipped "$T/stats")" \
    "$(sort -u "$T/done" | comm -12 - "$T/set1" | wc -l | tr -d ' ')"
assert_eq "$(jq .rows_outside_sample "$T/stats")" "$((3000 - n))"
assert_eq "$(jq -r .id "$T/out" | tr '\n' ' ')" \
    "$(sort -u "$T/done" | comm -13 - "$T/set1" | tr '\n' ' ')" "ordered rows"
"$ENRICH" -p '{{text}}' --sample 10% --estimate <"$T/in" >"$T/est"
assert_grep "^rows               $n\$" "$T/est"

# Usage: a percentage, from 0.0001% to 100%.
for bad in 10 0% 101% 0.00001% 1e1% abc% -5% ''; do
	assert_status 2 "$ENRICH" --sample "$bad" -p x </dev/null 2>"$T/err"
	assert_grep "^enrich: --sample $bad: " "$T/err"
done
