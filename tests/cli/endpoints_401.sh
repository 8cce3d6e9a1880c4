# Several endpoints (-u more than once) and a key one of them refuses: a
# 401 sets that endpoint aside for the rest of the run, said once and
# naming it, and its rows go to the others; only when every endpoint has
# refused its key does the run stop (status 3), naming the last.
. "$(dirname "$0")/../lib.sh"

# start NAME [mock options]: a mock whose URL is in $NAME_URL, its log in
# $T/NAME.log.
start() {
	name=$1
	shift
	mock_start --log "$T/$name.log" "$@"
	eval "${name}_URL=\$URL"
}

printf 'sk-key-A\n' >"$T/kA"
printf 'sk-key-B\n' >"$T/kB"
start KA --require-key sk-key-A --latency 20
start KB --require-key sk-key-B --latency 20
rows 200 >"$T/in"

# B is given A's key: every row is answered by A, and B is set aside
# after its first 401s, never tried again.
set +e
"$ENRICH" -j 16 -u "$KA_URL" -k "$T/kA" -u "$KB_URL" -k "$T/kA" \
    -p '{{text}}' --meta --stats-json "$T/st" <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
set -e
assert_eq "$rc" 0 "exit status, one key refused: $(cat "$T/err")"
assert_eq "$(jq -r 'select(.answer == .text) | .id' "$T/out" | sort -u |
    wc -l | tr -d ' ')" 200 "rows answered"
assert_eq "$(jq -r '._meta.endpoint' "$T/out" | sort -u)" \
    "$KA_URL/chat/completions" "the endpoint that answered"
assert_eq "$(grep -c "$KB_URL.*401.*set aside" "$T/err")" 1 \
    "said once: $(cat "$T/err")"
assert_no_grep 'sk-key' "$T/err"
# No more than the first window went to B, and none after.
ok [ "$(wc -l <"$T/KB.log")" -le 16 ] ||
    fail "$(wc -l <"$T/KB.log") requests to the endpoint that refused"
assert_eq "$(jq '.endpoints[1].set_aside' "$T/st")" 1 "B set aside"

# Both refuse: the run stops at once, status 3, naming an endpoint.
: >"$T/KA.log"
set +e
"$ENRICH" -j 4 -u "$KA_URL" -k "$T/kB" -u "$KB_URL" -k "$T/kA" \
    -p '{{text}}' <"$T/in" >"$T/out" 2>"$T/err"
rc=$?
set -e
assert_eq "$rc" 3 "exit status, every key refused: $(cat "$T/err")"
assert_grep "401.*(at http://127.0.0.1:[0-9]*/v1/chat/completions)" \
    "$T/err"
assert_eq "$(wc -l <"$T/out" | tr -d ' ')" 0 "rows written"
ok [ "$(wc -l <"$T/KA.log")" -le 8 ] || fail "the run went on after both 401s"
assert_no_grep 'sk-key' "$T/err"

# One -u alone: a 401 stops the run as before.
assert_status 3 "$ENRICH" -j 4 -u "$KA_URL" -k "$T/kB" -p '{{text}}' \
    <"$T/in" >"$T/out" 2>"$T/err"
assert_grep "401" "$T/err"
