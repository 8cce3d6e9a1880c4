# --dry-run --estimate: no requests; the rows, their prompt tokens, the
# completion budget, the cost at the prices given, the time at the limits.
. "$(dirname "$0")/../lib.sh"

# 10 rows of 400 bytes of prompt: 100 tokens each, each its own (rows
# that ask the same are one request).
awk 'BEGIN { s = ""; for (i = 0; i < 39; i++) s = s "0123456789";
    for (i = 1; i <= 10; i++)
    printf "{\"id\":%d,\"t\":\"%s01234567%02d\"}\n", i, s, i }' >"$T/in"
echo '{"id":11}' >>"$T/in"
printf '3\n' >"$T/done"
"$ENRICH" --dry-run --estimate -P max_completion_tokens=50 --price-in 2 \
    --price-out 10 --rpm 60 --tpm 6000 --skip-ids "$T/done" -p '{{t}}' \
    <"$T/in" >"$T/out" 2>"$T/err" || true
assert_grep '^rows  *9 (and 1 that would fail' "$T/out"
assert_grep '^prompt tokens  *900 ' "$T/out"
assert_grep '^completion budget  *50 a row, 450 in all' "$T/out"
# 900 x $2 + 450 x $10 a million: $0.0018 + $0.0045.
assert_grep '^cost  *\$0.0018 in + at most \$0.0045 out = \$0.0063' "$T/out"
# 9 requests at 60 a minute: 9 s; 1350 tokens at 6000 a minute: 13.5 s.
assert_grep '^time  *at least 14 s' "$T/out"
assert_grep 'row 11: template' "$T/err"

# --estimate implies --dry-run; without a budget or limits, it says so.
"$ENRICH" --estimate -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null || true
assert_grep '^completion budget  *unknown' "$T/out"
assert_grep '^time  *give --rpm or --tpm' "$T/out"
assert_status 2 "$ENRICH" --estimate --price-in lots -p x </dev/null 2>/dev/null
