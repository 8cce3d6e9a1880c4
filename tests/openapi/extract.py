#!/usr/bin/env python3
"""Extract from OpenAI's OpenAPI document the schemas the requests enrich
sends must meet, and nothing else, into schemas.json beside this file.

    python3 tests/openapi/extract.py GITDIR

GITDIR is a clone of github.com/openai/openai-openapi (a bare one will do).
The request schemas come from its newest openapi.json; the Batch file line
schemas (BatchRequestInput, BatchRequestOutput) from the last commit that
still had them (the document dropped them in June 2025, the format stayed).
Descriptions, examples and x-* extensions are left out: they do not
constrain, and they are most of the bytes.
"""
import json
import subprocess
import sys

ROOTS = ["CreateChatCompletionRequest", "CreateBatchRequest",
         "CreateFileRequest"]
LINES = ["BatchRequestInput", "BatchRequestOutput"]
LINES_COMMIT = "498c71d"        # 2025-04-29, the last with LINES
DROP = {"description", "example", "examples", "title", "deprecated"}
MAPS = {"properties", "patternProperties", "$defs", "definitions"}


def show(gitdir, rev, path):
    return subprocess.run(["git", "--git-dir", gitdir, "show",
                           rev + ":" + path], check=True,
                          capture_output=True).stdout


def strip(o, in_map=False):
    if isinstance(o, dict):
        out = {}
        for k, v in o.items():
            if not in_map and (k in DROP or k.startswith("x-")):
                continue
            out[k] = strip(v, not in_map and k in MAPS)
        return out
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o


def nullable(o):
    """OpenAPI 3.0's nullable: true (which the 3.1 document still uses in
    places), as JSON Schema says it."""
    if isinstance(o, dict):
        o = {k: nullable(v) for k, v in o.items()}
        if not o.pop("nullable", False):
            return o
        if isinstance(o.get("type"), str):
            o["type"] = [o["type"], "null"]
            if "enum" in o:
                o["enum"] = o["enum"] + [None]
            return o
        return {"anyOf": [o, {"type": "null"}]}
    if isinstance(o, list):
        return [nullable(v) for v in o]
    return o


def refs(o, acc):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "$ref" and isinstance(v, str):
                acc.add(v.rsplit("/", 1)[-1])
            else:
                refs(v, acc)
    elif isinstance(o, list):
        for v in o:
            refs(v, acc)


def closure(schemas, roots):
    seen, todo = set(), list(roots)
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            found = set()
            refs(schemas[n], found)
            todo.extend(found - seen)
    return seen


def main():
    gitdir = sys.argv[1]
    head = subprocess.run(["git", "--git-dir", gitdir, "rev-parse",
                           "--short", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    new = json.loads(show(gitdir, "HEAD", "openapi.json"))
    sch = new["components"]["schemas"]
    out = {k: nullable(strip(sch[k])) for k in sorted(closure(sch, ROOTS))}
    import yaml
    old = yaml.safe_load(show(gitdir, LINES_COMMIT, "openapi.yaml"))
    for k in LINES:
        out[k] = nullable(strip(old["components"]["schemas"][k]))
    doc = {
        "$comment": "From github.com/openai/openai-openapi: %s at %s, "
                    "%s at %s; made by tests/openapi/extract.py."
                    % (", ".join(ROOTS), head, ", ".join(LINES),
                       LINES_COMMIT),
        "components": {"schemas": out},
    }
    with open(__file__.rsplit("/", 1)[0] + "/schemas.json", "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


main()
