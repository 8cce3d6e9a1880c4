#!/bin/sh
# Tag product photos: each row's picture (or pictures) goes with its
# prompt, as an image part, and the answer is a line of tags.  The paths
# in products.jsonl are relative to this directory; a URL goes as it is.
# A row whose picture is missing or no picture at all is written with an
# error of type "attachment", never sent, and the run exits 1.
#
#	OPENAI_API_KEY=sk-... sh tag.sh		(or --anthropic, with
#						 ANTHROPIC_API_KEY)
cd "$(dirname "$0")" || exit 2
enrich -i sku -a photo -o tags -j 8 --cache .cache "$@" \
    -p 'Give five comma-separated tags (colour, material, kind, room, style) for the product in the picture: {{name}}' \
    <products.jsonl >tagged.jsonl
status=$?
jq -r '[.sku, .tags // "error: \(.error.message)"] | @tsv' tagged.jsonl
exit $status
