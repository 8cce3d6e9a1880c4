# --anthropic prompt caching: a system prompt of 1,024 tokens or more asks
# for the cache (cache_control ephemeral), a short one does not; the first
# row writes the cache and the others read it, and the tokens read reach
# _meta, --stats, --stats-json and --estimate.
. "$(dirname "$0")/../lib.sh"
mock_start --log "$T/log"
export ANTHROPIC_API_KEY=k
# 4,400 bytes: 1,100 tokens at 4 bytes a token.
long=$(awk 'BEGIN { for (i = 0; i < 440; i++) printf "Rule %03d. ", i }')
rows 10 >"$T/in"
"$ENRICH" --anthropic -u "$URL" -j 1 -s "$long" -p '{{text}}' --meta --stats \
    --stats-json "$T/st" <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | wc -l)" 10
assert_eq "$(jq -r '.body | fromjson | .system[0].cache_control.type' "$T/log" | sort -u)" ephemeral
# The first row wrote the cache, the nine after it read 1,100 tokens each.
assert_eq "$(jq -r 'select(.id == 1) | ._meta.cached_tokens' "$T/out")" 0
assert_eq "$(jq -r 'select(.id > 1) | ._meta.cached_tokens' "$T/out" | sort -u)" 1100
# prompt_tokens counts the whole prompt, cached or not.
ok [ "$(jq 'select(.id == 2) | ._meta.prompt_tokens' "$T/out")" -gt 1100 ] ||
    fail "prompt_tokens leaves out the cached part"
assert_eq "$(jq .cached_tokens "$T/st")" 9900
assert_grep '(9900 in from the cache)' "$T/err"

# A short one asks for nothing.
: >"$T/log"
"$ENRICH" --anthropic -u "$URL" -s short -p '{{text}}' --meta <"$T/in" >"$T/out"
assert_eq "$(jq -r '.body | fromjson | .system[0].cache_control // "none"' "$T/log" | sort -u)" none
assert_eq "$(jq -r '._meta.cached_tokens' "$T/out" | sort -u)" 0

# --estimate: nine rows of cached system prompt at a tenth of the price.
"$ENRICH" --anthropic --estimate -s "$long" -p '{{text}}' --price-in 1 \
    --price-out 0 <"$T/in" >"$T/est"
assert_grep 'cached prompt      9900 of them' "$T/est"
tokens=$(sed -n 's/^prompt tokens *\([0-9]*\).*/\1/p' "$T/est")
want=$(awk -v t="$tokens" 'BEGIN { printf "%.4f", (t - 0.9 * 9900) / 1e6 }')
assert_grep "cost               \$$want in" "$T/est"
