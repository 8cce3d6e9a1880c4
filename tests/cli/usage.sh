# Usage: --help and --version on stdout with status 0; every bad option or
# value is refused with status 2 and a line naming it.
. "$(dirname "$0")/../lib.sh"

"$ENRICH" --help >"$T/out" 2>"$T/err"
assert_grep '^usage: enrich' "$T/out"
assert_grep '--skip-ids' "$T/out"
ok [ ! -s "$T/err" ] || fail "--help wrote to stderr"
"$ENRICH" --version >"$T/out"
assert_grep '^enrich [0-9]' "$T/out"

bad() {
	assert_status 2 "$ENRICH" "$@" </dev/null >"$T/out" 2>"$T/err"
	ok [ ! -s "$T/out" ] || fail "$* wrote to stdout"
}
bad
assert_grep 'usage: enrich' "$T/err"
bad --no-such-option -p x
bad -p x extra-argument
bad -p x -f /dev/null
bad -f "$T/missing.txt"
assert_grep 'missing.txt' "$T/err"
bad -p x -j 0
assert_grep '-j 0' "$T/err"
bad -p x -j 10001
bad -p x -j many
bad -p x -t 0
bad -p x --max-response-bytes 1
bad -p 'x {{name'
assert_grep 'unclosed' "$T/err"
bad -p '{{}}'
bad -p x -s 'y {{' 
bad -p x -s y --system-file /dev/null
bad -p x -P 'temperature'
bad -p x -P 'temperature=hot'
assert_grep '-P temperature' "$T/err"
bad -p x -P 'model="gpt"'
bad -p x -H 'NoColon'
bad -p x -H "$(printf 'X-A: 1\r\nX-B: 2')"
assert_grep 'control characters' "$T/err"
bad -p x -H "$(printf 'X-A: \033]0;t\007')"
assert_grep 'control characters' "$T/err"
bad -p x -H 'Content-Length: 5'
assert_grep 'set by enrich itself' "$T/err"
bad -p x -H 'transfer-encoding: chunked'
bad -p x -H 'Host: evil.example'
bad -p x -m ''
assert_grep 'a model name expected' "$T/err"
bad -p ''
assert_grep 'an empty template' "$T/err"
bad -p x -s ''
bad -p x -H "$(printf 'X-A: 1\nX-B: 2')"
bad -p x -o id
bad -p x -o error
bad -p x -i ''
bad -p x -u 'ftp://example.invalid/v1'
bad -p x -u 'not a url'
bad -p x --skip-ids "$T/missing.jsonl"
bad -p x --errors "$T/no/such/dir/errors.jsonl"
