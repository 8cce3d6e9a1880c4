#!/usr/bin/env python3
"""Validate what enrich sends against OpenAI's published schemas.

    validate.py SCHEMAS KIND FILE

KIND is one of
  chat    each line of FILE is a chat completions request body
  lines   each line is a Batch request line (--batch-api --dry-run)
  output  each line is a Batch output line (--batch-output)
  log     FILE is the mock's --log: every chat request, every upload (its
          purpose and its request lines) and every batch created
Prints "KIND: N checked" per kind of thing checked; exits 1 naming each
body that does not validate.  Beyond the schemas, a chat body's top-level
members must be ones the schema names (it allows any others, so a member
of another API's, such as Anthropic's "system", would pass unseen).
"""
import json
import re
import sys

import jsonschema

doc = json.load(open(sys.argv[1]))
kind, path = sys.argv[2], sys.argv[3]
counts = {}
bad = []


def validator(name):
    schema = dict(doc)
    schema["$ref"] = "#/components/schemas/" + name
    return jsonschema.Draft202012Validator(schema)


def members(name, seen=None):
    """The top-level property names a schema (and its allOf) names."""
    s = doc["components"]["schemas"][name]
    names = set(s.get("properties", {}))
    for part in s.get("allOf", []):
        if "$ref" in part:
            names |= members(part["$ref"].rsplit("/", 1)[-1])
        names |= set(part.get("properties", {}))
    return names


V = {n: validator(n) for n in ["CreateChatCompletionRequest",
                                "CreateBatchRequest", "CreateFileRequest",
                                "BatchRequestInput", "BatchRequestOutput"]}
CHAT_MEMBERS = members("CreateChatCompletionRequest")
ENDPOINTS = doc["components"]["schemas"]["CreateBatchRequest"][
    "properties"]["endpoint"]["enum"]
PURPOSES = doc["components"]["schemas"]["CreateFileRequest"][
    "properties"]["purpose"]["enum"]


def check(name, what, value):
    counts[what] = counts.get(what, 0) + 1
    errs = sorted(V[name].iter_errors(value), key=lambda e: list(e.path))
    for e in errs[:3]:
        bad.append("%s %d: %s at %s" % (what, counts[what], e.message,
                                         "/".join(map(str, e.path))))
    return not errs


def chat(body, what="chat"):
    if check("CreateChatCompletionRequest", what, body):
        extra = sorted(set(body) - CHAT_MEMBERS)
        if extra:
            bad.append("%s %d: members the schema does not name: %s"
                       % (what, counts[what], ", ".join(extra)))


def line(text, what="line"):
    value = json.loads(text)
    check("BatchRequestInput", what, value)
    # The schema names no body and requires nothing; the format does.
    for k in ("custom_id", "method", "url", "body"):
        if k not in value:
            bad.append("%s %d: no %s" % (what, counts[what], k))
    if value.get("url") not in ENDPOINTS:
        bad.append("%s %d: url %r is no Batch endpoint"
                   % (what, counts[what], value.get("url")))
    if value.get("url") == "/v1/chat/completions":
        chat(value.get("body"), "line body")


def multipart(body, what="upload"):
    """The form fields of a multipart body: name -> value."""
    m = re.match(r"--([^\r\n]+)\r\n", body)
    fields = {}
    if m is None:
        bad.append("%s: not multipart" % what)
        return fields
    for part in body.split("--" + m.group(1))[1:]:
        if part.startswith("--"):
            break
        head, _, data = part.partition("\r\n\r\n")
        n = re.search(r'name="([^"]*)"', head)
        if n:
            fields[n.group(1)] = data[:-2] if data.endswith("\r\n") \
                else data
    return fields


for text in open(path, encoding="utf-8"):
    text = text.rstrip("\n")
    if not text:
        continue
    if kind == "chat":
        chat(json.loads(text))
    elif kind == "lines":
        line(text)
    elif kind == "output":
        check("BatchRequestOutput", "output", json.loads(text))
    elif kind == "log":
        req = json.loads(text)
        if req["method"] != "POST":
            continue
        if req["path"].endswith("/chat/completions"):
            chat(json.loads(req["body"]))
        elif req["path"].endswith("/files"):
            f = multipart(req["body"])
            # Only the purpose is JSON-shaped; the file is the lines.
            check("CreateFileRequest", "upload",
                  {"purpose": f.get("purpose"), "file": "(the lines)"})
            if f.get("purpose") != "batch" or "batch" not in PURPOSES:
                bad.append("upload %d: purpose %r, not batch"
                           % (counts["upload"], f.get("purpose")))
            for ln in f.get("file", "").splitlines():
                line(ln, "uploaded line")
        elif re.search(r"/batches$", req["path"]):
            check("CreateBatchRequest", "batch", json.loads(req["body"]))
    else:
        sys.exit("validate.py: no such kind: " + kind)

for what in sorted(counts):
    print("%s: %d checked" % (what, counts[what]))
for b in bad:
    print("invalid: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
