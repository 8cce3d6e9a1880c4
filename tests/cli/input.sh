# Hostile and odd input lines: each gives a row or an input error record,
# blank lines are skipped, a BOM and CRLF are tolerated, the last line needs
# no newline, and huge or deeply nested rows neither crash nor hang.
. "$(dirname "$0")/../lib.sh"
mock_start

printf '\357\273\277{"id":1,"t":"bom"}\r\n  \n[1,2]\n"str"\n42\n{"id":6,"t":"x"} trailing\n{"id":7,"t":"dup","t":"last"}\n{"id":8,"t":"no newline"}' >"$T/in"
assert_status 1 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(jq -r 'select(.error == null) | "\(.id)=\(.answer)"' "$T/out" | sort | tr '\n' ' ')" \
    '1=bom 7=last 8=no newline '
assert_eq "$(jq -r 'select(.error) | "\(.id)=\(.error.type)"' "$T/out" | sort | tr '\n' ' ')" \
    '3=input 4=input 5=input 6=input '
assert_eq "$(jq -r 'select(.id == 3) | .line' "$T/out")" '[1,2]'

# 100,000 levels of nesting and a 1,000-digit number.
awk 'BEGIN { s = ""; for (i = 0; i < 100000; i++) s = s "["; t = s;
    gsub(/\[/, "]", t); printf "{\"id\":1,\"deep\":%s%s}\n", s, t;
    n = ""; for (i = 0; i < 1000; i++) n = n "7";
    printf "{\"id\":2,\"t\":%s}\n", n }' >"$T/in"
assert_status 1 timeout 20 "$ENRICH" -u "$URL" -p '{{t}}' <"$T/in" >"$T/out" 2>"$T/err"
assert_eq "$(grep -c '"type":"input"' "$T/out")" 1
assert_grep 'deeper' "$T/err"
assert_eq "$(jq -r 'select(.id == 2) | .answer | length' "$T/out")" 1000

# A 10 MB row goes through whole.
awk 'BEGIN { s = "0123456789"; for (i = 0; i < 20; i++) s = s s;
    printf "{\"id\":1,\"t\":\"%s\"}\n", substr(s, 1, 10000000) }' >"$T/in"
"$ENRICH" -u "$URL" -p '{{t}}' --max-response-bytes 33554432 <"$T/in" >"$T/out"
assert_eq "$(jq -r '.answer | length' "$T/out")" 10000000
