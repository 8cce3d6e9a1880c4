#!/bin/sh
# Peer: the shell way, jq + xargs -P + curl.  One jq turns each row into
# two lines, the row and its request body; xargs -P J hands each pair to a
# small sh -c that runs curl (a new process and a new connection per row:
# no keep-alive is possible) and one jq to add the answer or the error.
# Each result is written with one printf, a single write(2), so lines
# under PIPE_BUF (4096 bytes) from parallel rows never interleave.
# A line that is not valid JSON stops the first jq (rows after it are lost).
# Does the work of
#
#     enrich -u URL -j J -p '{{text}}' < rows.jsonl > out.jsonl
#
# usage: xargs_curl.sh URL J < rows.jsonl > out.jsonl

url="${1%/}/chat/completions"
j=$2

# The per-row merge: input is the raw response body plus curl's "\n".
merge='
	rtrimstr("\n") |
	if $rc != "0" then
		$row + {error: {type: "network", curl_exit: ($rc | tonumber)}}
	elif $code != "200" then
		$row + {error: {type: "http", status: ($code | tonumber), message: .}}
	else
		(try (fromjson | .choices[0].message.content) catch null) as $a |
		if ($a | type) == "string" then $row + {answer: $a}
		else $row + {error: {type: "parse", message: .}} end
	end'

# $1 url, $2 merge, $3 row, $4 body; curl appends "\n" and the status.
jq -c '., {model: "gpt-4o-mini", messages: [{role: "user", content: .text}]}' |
xargs -d '\n' -n 2 -P "$j" sh -c '
	resp=$(curl -s -H "Content-Type: application/json" -H "Expect:" \
	    --data-raw "$4" -w "\n%{http_code}" "$1")
	rc=$?
	code=${resp##*[!0-9]}
	line=$(printf "%s" "${resp%"$code"}" | jq -c -R -s --argjson row "$3" \
	    --arg rc "$rc" --arg code "$code" "$2")
	printf "%s\n" "$line"
' sh "$url" "$merge"
