#!/usr/bin/python3
"""
Peer: the usual asyncio way.  One aiohttp.ClientSession over a
TCPConnector(limit=J) (keep-alive connections), an asyncio.Semaphore(J)
taken before each row's task is created, so at most J tasks are pending.
Stdin is read with blocking reads between tasks, as such scripts usually
do (fine for a file or a fast pipe).  Does the work of

    enrich -u URL -j J -p '{{text}}' < rows.jsonl > out.jsonl

usage: asyncio_aiohttp.py URL J < rows.jsonl > out.jsonl
"""
import asyncio
import json
import sys

import aiohttp

URL = sys.argv[1].rstrip("/") + "/chat/completions"
J = int(sys.argv[2])


def emit(row):
    line = json.dumps(row, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.buffer.write(line.encode() + b"\n")


async def ask(session, row):
    body = {"model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": row.get("text")}]}
    try:
        async with session.post(URL, json=body) as r:
            text = await r.text()
            status = r.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as e:
        return {"error": {"type": "network", "message": repr(e)}}
    if status != 200:
        return {"error": {"type": "http", "status": status, "message": text}}
    try:
        answer = json.loads(text)["choices"][0]["message"]["content"]
        if not isinstance(answer, str):
            raise TypeError("no text")
        return {"answer": answer}
    except (ValueError, LookupError, TypeError) as e:
        return {"error": {"type": "parse", "message": str(e)}}


async def work(session, sem, row):
    try:
        row.update(await ask(session, row))
    except Exception as e:  # never lose a row
        row["error"] = {"type": "internal", "message": repr(e)}
    finally:
        emit(row)
        sem.release()


async def main():
    sem = asyncio.Semaphore(J)
    tasks = set()
    connector = aiohttp.TCPConnector(limit=J)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=timeout) as session:
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
            await sem.acquire()
            task = asyncio.create_task(work(session, sem, row))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        await asyncio.gather(*tasks)
    sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(main())
