# --dry-run prints each row's request body and sends nothing: no server and
# no key are needed.
. "$(dirname "$0")/../lib.sh"

printf '%s\n' '{"id":"a","q":"x \"y\""}' '{"q":"z"}' '{"id":3}' >"$T/in"
assert_status 1 "$ENRICH" --dry-run -m m1 -s 'sys' -p 'Q: {{q}}' \
    -P temperature=0 -P 'response_format={"type":"json_object"}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(sed -n 1p "$T/out")" \
    '{"id":"a","request":{"model":"m1","messages":[{"role":"system","content":"sys"},{"role":"user","content":"Q: x \"y\""}],"temperature":0,"response_format":{"type":"json_object"}}}'
assert_eq "$(jq -c 'select(.id == 2) | .request.messages[1].content' "$T/out")" '"Q: z"'
assert_eq "$(jq -r 'select(.id == 3) | .error.type' "$T/out")" template
# The default URL needs no key for a dry run.
echo '{"q":1}' | "$ENRICH" --dry-run -p '{{q}}' >"$T/out"
assert_eq "$(jq -r '.request.messages[0].content' "$T/out")" 1

# A dry run writes nothing but stdout: the --errors file of the last real
# run is left as it was.
echo '{"id":7,"error":{"type":"http"}}' >"$T/errors"
printf '%s\n' '{"id":1,"t":"x"}' 'not json' >"$T/in"
"$ENRICH" --dry-run --errors "$T/errors" -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null || true
assert_eq "$(cat "$T/errors")" '{"id":7,"error":{"type":"http"}}'
"$ENRICH" --dry-run --estimate --errors "$T/errors" -p '{{t}}' <"$T/in" >"$T/out" 2>/dev/null || true
assert_eq "$(cat "$T/errors")" '{"id":7,"error":{"type":"http"}}'
