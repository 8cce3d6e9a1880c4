# IDs that come more than once are said at the end of every run, with or
# without --skip-ids, dry or not: a line for each of the first three, how
# many rows have it and what became of them, then a count of the rest.
# Every copy is still sent and written.
. "$(dirname "$0")/../lib.sh"
mock_start

# alrt-0011 three times, alrt-0002 twice, 3 twice (as 3 and "3"), x1..x4
# twice each; line-number IDs never count.
{
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		printf '{"id":"alrt-%04d","text":"alert %d"}\n' "$i" "$i"
	done
	printf '%s\n' '{"id":"alrt-0011","text":"again"}' \
	    '{"id":"alrt-0002","text":"again"}' \
	    '{"id":"alrt-0011","text":"and again"}' \
	    '{"id":3,"text":"three"}' '{"id":"3","text":"three"}' \
	    '{"text":"no id"}' '{"text":"no id"}'
	for i in 1 2 3 4; do
		printf '{"id":"x%d","text":"a"}\n{"id":"x%d","text":"b"}\n' \
		    "$i" "$i"
	done
} >"$T/in"
"$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 27 "rows written, every copy"
assert_eq "$(jq -r 'select(.id == "alrt-0011") | .answer' "$T/out" | sort |
    tr '\n' '|')" "again|alert 11|and again|" "each copy its own answer"
cat >"$T/want" <<'EOF'
enrich: duplicate ID alrt-0011: 3 rows have it, each done and written on its own
enrich: duplicate ID alrt-0002: 2 rows have it, each done and written on its own
enrich: duplicate ID 3: 2 rows have it, each done and written on its own
enrich: and 4 more duplicate IDs, 8 rows in all
EOF
ok cmp -s "$T/err" "$T/want" || fail "said: $(cat "$T/err")"

# A dry run says the same; -q says nothing.
"$ENRICH" --dry-run -p '{{text}}' <"$T/in" >/dev/null 2>"$T/err"
ok cmp -s "$T/err" "$T/want" || fail "dry run said: $(cat "$T/err")"
"$ENRICH" -q -u "$URL" -p '{{text}}' <"$T/in" >/dev/null 2>"$T/err"
ok [ ! -s "$T/err" ] || fail "-q said: $(cat "$T/err")"

# A resume: copies done before are skipped, as many as were done, and
# said so.
printf '%s\n' '{"id":"a","text":"ok"}' '{"id":"a","text":"[[status:400]] no"}' \
    '{"id":"a","text":"ok too"}' '{"id":"b","text":"ok"}' \
    '{"id":"b","text":"ok"}' >"$T/in"
"$ENRICH" -u "$URL" -p '{{text}}' <"$T/in" >"$T/done" 2>/dev/null || true
"$ENRICH" -u "$URL" -p '{{text}}' --skip-ids "$T/done" <"$T/in" \
    >"$T/again" 2>"$T/err" || true
assert_eq "$(jq -r .id "$T/again")" a "the one copy not done, sent again"
cat >"$T/want" <<'EOF'
enrich: duplicate ID a: 3 rows have it; 2 done before (--skip-ids), the other done and written on its own
enrich: duplicate ID b: 2 rows have it, all done before (--skip-ids)
EOF
grep '^enrich: duplicate' "$T/err" >"$T/dups" || true
ok cmp -s "$T/dups" "$T/want" || fail "resume said: $(cat "$T/err")"
