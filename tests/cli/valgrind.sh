# A short run under valgrind: no memory errors and nothing leaked, through
# successes, retries, failures and bad input.
. "$(dirname "$0")/../lib.sh"
command -v valgrind >/dev/null || fail "valgrind is not installed"
# valgrind cannot run a binary built with AddressSanitizer: that build is
# checked by the sanitizers themselves.
[ -z "${SANITIZED:-}" ] || exit 0
mock_start

printf '%s\n' '{"id":1,"t":"ok"}' '{"id":2,"t":"[[status-once:500]]"}' \
    '{"id":3,"t":"[[status:400]]"}' 'junk' '{"id":5}' \
    '{"id":6,"t":"[[garbage]]"}' '{"id":7,"t":"[[status-once:429]] [[retry-after:0.1]]"}' \
    >"$T/in"
printf '{"id":1,"answer":"x"}\n' >"$T/done"
set +e
valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all \
    --show-leak-kinds=definite,indirect,possible \
    "$ENRICH" -u "$URL" --skip-ids "$T/done" -p '{{t}}' <"$T/in" >"$T/out" \
    2>"$T/err"
status=$?
set -e
ok [ "$status" -eq 1 ] || fail "status $status: $(cat "$T/err")"
assert_eq "$(wc -l <"$T/out")" 6
