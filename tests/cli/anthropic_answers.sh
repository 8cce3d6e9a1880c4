# --anthropic answers: the text blocks of content joined; stop_reason
# max_tokens or pause_turn a truncated error with what came, refusal a
# refused one, neither retried; content with no text block a parse error;
# --json merges a Messages answer as it does a chat one.
. "$(dirname "$0")/../lib.sh"
mock_start
export ANTHROPIC_API_KEY=k
printf '%s\n' '{"id":1,"t":"one [[blocks]] caf\u00e9 \"q\""}' \
    '{"id":2,"t":"long [[finish:max_tokens]]"}' \
    '{"id":3,"t":"no [[finish:refusal]]"}' \
    '{"id":4,"t":"[[nochoices]]"}' '{"id":5,"t":"[[null]]"}' \
    '{"id":6,"t":"plain"}' '{"id":7,"t":"wait [[finish:pause_turn]]"}' \
    >"$T/in"
assert_status 1 "$ENRICH" --anthropic -u "$URL" -p '{{t}}' --meta \
    <"$T/in" >"$T/out" 2>"$T/err"
# Joined without a seam, the tool_use block between them left out.
assert_eq "$(jq -r 'select(.id == 1) | .answer' "$T/out")" 'one [[blocks]] café "q"'
assert_eq "$(jq -r 'select(.id == 6) | .answer' "$T/out")" plain
assert_eq "$(jq -c 'select(.id == 2) | .error | [.type, .partial, .attempts]' "$T/out")" \
    '["truncated","long [[finish:max_tokens]]",1]'
assert_grep 'stop_reason max_tokens' "$T/out"
# A paused turn is no finished answer (#23): not written as one, not
# retried, its tokens counted.
assert_eq "$(jq -c 'select(.id == 7) | [.answer, .error.type, .error.partial, .error.attempts, ._meta.completion_tokens > 0]' "$T/out")" \
    '[null,"truncated","wait [[finish:pause_turn]]",1,true]'
assert_grep 'stop_reason pause_turn' "$T/out"
assert_eq "$(jq -c 'select(.id == 3) | .error | [.type, .message, .attempts]' "$T/out")" \
    '["refused","no [[finish:refusal]]",1]'
assert_eq "$(jq -r 'select(.id == 4 or .id == 5) | .error.type' "$T/out" | sort -u)" parse
assert_grep 'no text block' "$T/out"
# Usage reaches _meta: input_tokens and output_tokens, as the mock counts.
assert_eq "$(jq -c 'select(.id == 6) | ._meta | [.prompt_tokens, .completion_tokens, .cached_tokens]' "$T/out")" \
    '[2,2,0]'

mock_stop
mock_start --answer json
printf '{"id":1,"t":"x y"}\n' |
    "$ENRICH" --anthropic -u "$URL" --json -p '{{t}}' >"$T/out"
assert_eq "$(jq -c '[.echo, .len]' "$T/out")" '["x y",3]'
