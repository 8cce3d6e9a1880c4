# The EXAMPLES of the man page and the examples/ folder, run against the
# mock server: classify and count, resume, failures apart, input order,
# dry run, and GNU parallel.
. "$(dirname "$0")/../lib.sh"
services="S3,IAM,EC2,CloudTrail,RDS,Lambda,EKS,KMS,GuardDuty,Cloud Storage"
services="$services,Key Vault,Entra ID,BigQuery,Compute Engine,Blob Storage"
services="$services,AKS,Cloud SQL,GKE,Virtual Machines,Azure SQL Database"
mock_start --answer "pick:$services" --latency 5 --jitter 20
export OPENAI_BASE_URL="$URL"
mkdir "$T/bin"
ln -s "$ENRICH" "$T/bin/enrich"
export PATH="$T/bin:$PATH"
ex=$ROOT/examples/classify-alerts
cd "$T"

# Classify and count.
enrich -j 100 -o service -P temperature=0 \
    -p 'Which cloud service does this alert concern? Answer with the name only.\n\n{{text}}' \
    <"$ex/alerts.jsonl" | tee -a done.jsonl | jq -r .service | sort | uniq -c >counts
assert_eq "$(awk '{ n += $1 } END { print n }' counts)" 40
assert_eq "$(awk '$2 == "S3" { print $1 }' counts)" 4

# Resume: nothing left to do, then half of it lost.
enrich --skip-ids done.jsonl -j 100 -o service -P temperature=0 \
    -p '...' <"$ex/alerts.jsonl" | tee -a done.jsonl >again
[ ! -s again ] || fail "resume sent rows that were done"
head -20 done.jsonl >half
enrich --skip-ids half -o service -p '{{text}}' <"$ex/alerts.jsonl" >>half
assert_eq "$(jq -r .id half | sort -u | wc -l)" 40

# The classify-alerts script, twice: the second run sends nothing.
mkdir script
cp "$ex/alerts.jsonl" "$ex/prompt.txt" "$ex/classify.sh" script/
JOBS=10 sh script/classify.sh >out1
JOBS=10 sh script/classify.sh >out2
assert_eq "$(wc -l <script/done.jsonl)" 40
assert_eq "$(awk '{ n += $1 } END { print n }' out1)" 40
[ ! -s out2 ] || fail "classify.sh sent rows again: $(cat out2)"

# Failures apart.
printf '%s\n' '{"id":1,"text":"ok"}' '{"id":2,"text":"[[status:400]]"}' >rows.jsonl
enrich -p '{{text}}' --errors failed.jsonl <rows.jsonl >done2.jsonl 2>/dev/null || true
assert_eq "$(jq -r '"\(.id): \(.error.type) \(.error.message)"' failed.jsonl)" \
    '2: http mock status 400'

# Input order restored.
awk 'BEGIN { for (i = 1; i <= 30; i++)
    printf "{\"text\":\"[[sleep:%d]] %d\"}\n", (31 - i) * 3, i }' >rows.jsonl
enrich -p '{{text}}' <rows.jsonl |
    jq -r '"\(.id)\t\(tojson)"' | sort -n -k1,1 | cut -f2- >ordered
assert_eq "$(jq -r .id ordered | tr '\n' ' ')" "$(seq 1 30 | tr '\n' ' ')"

# In order, with --ordered.
enrich --ordered -p '{{text}}' <rows.jsonl >ordered2
assert_eq "$(jq -r .id ordered2 | tr '\n' ' ')" "$(seq 1 30 | tr '\n' ' ')"

# Two columns from one request (the mock echoes the prompt, which here is
# the JSON the model is asked for).
pick_url=$URL
mock_start
echo '{"id":1,"text":"{\"service\":\"S3\",\"severity\":\"high\"}"}' |
    enrich -u "$URL" --json -P 'response_format={"type":"json_object"}' \
    -p '{{text}}' >two
URL=$pick_url
assert_eq "$(jq -c '[.service, .severity]' two)" '["S3","high"]'

# Split into parts, IDs first, all parts at once.
jq -c '.id = input_line_number' <rows.jsonl >withids.jsonl
split -n l/4 -d withids.jsonl part.
# (The script has mock servers in the background: wait for these alone.)
pids=""
for p in part.0?; do enrich -p '{{text}}' <$p >$p.out & pids="$pids $!"; done
wait $pids
cat part.0?.out >split.jsonl
assert_eq "$(jq -r .id split.jsonl | sort -n | tr '\n' ' ')" "$(seq 1 30 | tr '\n' ' ')"

# Dry run.
enrich --dry-run -s 'Answer in one word.' -p '{{text}}' <rows.jsonl |
    head -1 | jq .request >req
assert_eq "$(jq -r '.messages[0].content' req)" 'Answer in one word.'

# GNU parallel, each process with its share: every row once.
if command -v parallel >/dev/null; then
	awk 'BEGIN { for (i = 1; i <= 3000; i++)
	    printf "{\"id\":%d,\"text\":\"row %d S3\"}\n", i, i }' >many.jsonl
	parallel --will-cite --pipe --block 20k -j 4 enrich --rpm 60000 \
	    -p "'{{text}}'" <many.jsonl >par.jsonl
	assert_eq "$(jq -r .id par.jsonl | sort -n | uniq | wc -l)" 3000
	assert_eq "$(wc -l <par.jsonl)" 3000
fi

# The scripts in examples/, each in a directory of its own.
for s in resume in-order split parallel; do
	mkdir "$T/ex-$s"
	(cd "$T/ex-$s" && sh "$ROOT/examples/$s.sh" >out 2>err) ||
	    fail "examples/$s.sh: $(cat "$T/ex-$s/err")"
done
assert_eq "$(cat "$T/ex-resume/out")" "40 rows done"
(cd "$T/ex-resume" && sh "$ROOT/examples/resume.sh" >out2)
assert_eq "$(wc -l <"$T/ex-resume/done.jsonl")" 40
assert_eq "$(cat "$T/ex-in-order/out")" "$(seq 1 40 | tr '\n' ' ')"
cmp -s "$T/ex-in-order/ordered.jsonl" "$T/ex-in-order/sorted.jsonl" ||
    fail "--ordered and sort disagree"
assert_eq "$(cat "$T/ex-split/out")" "40 rows"
if command -v parallel >/dev/null; then
	assert_eq "$(cat "$T/ex-parallel/out")" "40 rows, each once"
fi
