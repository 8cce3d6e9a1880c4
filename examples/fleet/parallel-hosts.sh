#!/bin/sh
# One job over several machines with GNU parallel: blocks of rows go to
# an enrich on each host, and the answers come back on stdout.  Each host
# reads the key from a file of its own (-k): with --env OPENAI_API_KEY
# parallel would put the key in ssh's arguments, on both machines, where
# ps(1) shows it.  (Or: SendEnv OPENAI_API_KEY in ~/.ssh/config and
# AcceptEnv OPENAI_API_KEY in each host's sshd_config.)  The rate limit is
# the organisation's: -j auto lets each process find its share of it.
#
# Usage: HOSTS=4/host1,4/host2 [KEYFILE=.config/enrich/key] \
#     ./parallel-hosts.sh rows.jsonl >done.jsonl
# The rows need IDs of their own; each host needs enrich and KEYFILE
# (relative to its home, mode 0600).
set -eu
in=${1:?usage: HOSTS=4/host1,4/host2 ./parallel-hosts.sh rows.jsonl}
[ -n "${PROMPT:-}" ] ||
    PROMPT='Which cloud service is this alert about? {{text}}'
parallel --will-cite --pipe --block "${BLOCK:-1M}" -q \
    --sshlogin "${HOSTS:?give HOSTS, as 4/host1,4/host2}" \
    ${ENRICH:-enrich} ${URL:+-u "$URL"} -k "${KEYFILE:-.config/enrich/key}" \
    -j auto -p "$PROMPT" <"$in"
