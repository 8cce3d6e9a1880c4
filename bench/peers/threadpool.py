#!/usr/bin/python3
"""
Peer: the usual Python way.  A concurrent.futures.ThreadPoolExecutor of J
threads, each with its own requests.Session (so its connection is kept
alive), one blocking POST per row.  At most 2*J rows are submitted but not
yet written, so memory stays bounded on big inputs.  Does the work of

    enrich -u URL -j J -p '{{text}}' < rows.jsonl > out.jsonl

usage: threadpool.py URL J < rows.jsonl > out.jsonl
"""
import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

URL = sys.argv[1].rstrip("/") + "/chat/completions"
J = int(sys.argv[2])

local = threading.local()
out_lock = threading.Lock()
slots = threading.BoundedSemaphore(2 * J)


def emit(row):
    line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    with out_lock:
        sys.stdout.buffer.write(line.encode() + b"\n")


def ask(row):
    if not hasattr(local, "session"):
        local.session = requests.Session()
    body = {"model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": row.get("text")}]}
    try:
        r = local.session.post(URL, json=body, timeout=600)
    except requests.RequestException as e:
        return {"error": {"type": "network", "message": str(e)}}
    if r.status_code != 200:
        return {"error": {"type": "http", "status": r.status_code,
                          "message": r.text}}
    try:
        answer = r.json()["choices"][0]["message"]["content"]
        if not isinstance(answer, str):
            raise TypeError("no text")
        return {"answer": answer}
    except (ValueError, LookupError, TypeError) as e:
        return {"error": {"type": "parse", "message": str(e)}}


def work(row):
    try:
        row.update(ask(row))
    except Exception as e:  # never lose a row
        row["error"] = {"type": "internal", "message": repr(e)}
    finally:
        emit(row)
        slots.release()


def main():
    with ThreadPoolExecutor(max_workers=J) as pool:
        for n, raw in enumerate(sys.stdin.buffer, 1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
                if not isinstance(row, dict):
                    raise ValueError("not an object")
            except ValueError as e:
                emit({"id": n, "error": {"type": "input", "message": str(e)},
                      "line": raw.decode(errors="replace").rstrip("\n")})
                continue
            slots.acquire()
            pool.submit(work, row)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
