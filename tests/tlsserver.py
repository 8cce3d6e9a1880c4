#!/usr/bin/python3
"""Small HTTPS test server for enrich's command-line tests.

It answers OpenAI chat-completions requests over TLS with either HTTP/2 or
HTTP/1.1 (whichever one --alpn offers), echoing the content of the last
"user" message as the answer.  It lets the tests check that enrich trusts a
CA given with --cacert, that it picks the protocol the server offers through
ALPN, and that over HTTP/2 it multiplexes requests over few connections.

Usage:
  tlsserver.py --cert CERT --key KEY [--alpn h2|http/1.1] [--latency MS]
               [--gather N] [--port-file FILE] [--stats FILE]
               [--max-seconds N]

It listens on 127.0.0.1 on a kernel-chosen port, prints the port on stdout
and writes it to --port-file (atomically).  It exits after --max-seconds
(default 120) or on SIGTERM/SIGINT, and then writes --stats as one JSON
object: {"connections":N,"requests":N,"h2_connections":N,
"max_streams_per_connection":N} ("connections" counts completed TLS handshakes;
"max_streams_per_connection" is the most requests any one connection carried
over its life, not the most at once).

With --gather N (HTTP/1.1), each request after the first is held until N of
them wait together, or for 60 s: a client that sends them all at once once
the first is answered gets its answers at once, and one that sends them a
few at a time is held, then let go.  --stats then says "first_alone" (the second request
came after the first was answered) and "gathered" (N waited together),
which a test can check whatever the machine's load, where a time cannot.

A self-signed certificate for it (the tests make one):
  openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
      -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1

Needs Python 3 and the h2 library (Debian: apt-get install python3-h2).
"""

import argparse
import asyncio
import json
import os
import signal
import ssl

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings

stats = {"connections": 0, "requests": 0, "h2_connections": 0,
         "max_streams_per_connection": 0}
args = None
arrived = 0
gathered = None     # an asyncio.Event, set when --gather's N wait together


def answer(method, path, body):
    """Return (status, body bytes) for one request."""
    stats["requests"] += 1
    if (method != "POST"
            or not path.split("?")[0].endswith("/chat/completions")):
        return 404, error("Unknown request URL: %s %s" % (method, path),
                          "unknown_url")
    try:
        messages = json.loads(body)["messages"]
        user = [m for m in messages if m.get("role") == "user"]
        content = user[-1]["content"]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return 400, error("Could not find a user message in the request body",
                          "invalid_body")
    if isinstance(content, list):  # content parts: keep the text ones
        content = "".join(p.get("text", "") for p in content
                          if isinstance(p, dict))
    return 200, json.dumps({
        "id": "x", "object": "chat.completion",
        "choices": [{"index": 0,
                     "message": {"role": "assistant", "content": content},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                  "total_tokens": 2}}, separators=(",", ":")).encode()


def error(message, code):
    return json.dumps({"error": {"message": message,
                                 "type": "invalid_request_error",
                                 "param": None, "code": code}},
                      separators=(",", ":")).encode()


def count_streams(n):
    stats["max_streams_per_connection"] = max(
        stats["max_streams_per_connection"], n)


async def gather():
    """--gather: hold a request after the first until N wait together."""
    global arrived
    arrived += 1
    if arrived == 1:
        return
    if arrived == 2:
        stats["first_alone"] = stats["requests"] == 1
        stats["gathered"] = False
    if arrived - 1 >= args.gather and not gathered.is_set():
        stats["gathered"] = True
        gathered.set()
    try:
        await asyncio.wait_for(gathered.wait(), 60)
    except asyncio.TimeoutError:
        gathered.set()  # they never came together: let them all go


async def serve_http1(reader, writer):
    served = 0
    while True:
        line = await reader.readline()
        if not line.strip():
            return  # EOF (or a stray empty line; good enough for tests)
        method, path, version = line.decode("latin-1").split()
        headers = {}
        while True:
            h = await reader.readline()
            if h in (b"\r\n", b"\n", b""):
                break
            name, _, value = h.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        served += 1
        count_streams(served)
        if args.gather:
            await gather()
        await asyncio.sleep(args.latency / 1000)
        status, data = answer(method, path, body)
        close = (headers.get("connection", "").lower() == "close"
                 or version == "HTTP/1.0")
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
        writer.write(("HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
                      "content-length: %d\r\nconnection: %s\r\n\r\n"
                      % (status, reason, len(data),
                         "close" if close else "keep-alive")).encode() + data)
        await writer.drain()
        if close:
            return


async def serve_h2(reader, writer):
    stats["h2_connections"] += 1
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(
        client_side=False, header_encoding=None))
    conn.initiate_connection()
    conn.update_settings(
        {h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: 100})
    writer.write(conn.data_to_send())
    requests = {}      # stream id -> [headers, body]
    tasks = set()
    window = [asyncio.Event()]  # replaced and set when a window opens
    served = 0

    def flush():
        data = conn.data_to_send()
        if data:
            writer.write(data)

    async def respond(sid, headers, body):
        await asyncio.sleep(args.latency / 1000)
        status, data = answer(headers.get(b":method", b"").decode(),
                              headers.get(b":path", b"").decode(), bytes(body))
        try:
            await send(sid, status, data)
        except h2.exceptions.ProtocolError:
            pass  # the client reset the stream or closed the connection

    async def send(sid, status, data):
        conn.send_headers(sid, [(b":status", str(status).encode()),
                                (b"content-type", b"application/json"),
                                (b"content-length", str(len(data)).encode())])
        while True:  # respect the client's flow-control windows
            n = min(len(data), conn.local_flow_control_window(sid),
                    conn.max_outbound_frame_size)
            if n == 0 and data:
                await window[0].wait()  # until a WINDOW_UPDATE or SETTINGS
                continue
            conn.send_data(sid, data[:n], end_stream=(n == len(data)))
            flush()
            data = data[n:]
            if not data:
                return

    try:
        while True:
            data = await reader.read(65536)
            if not data:
                return
            for ev in conn.receive_data(data):
                if isinstance(ev, h2.events.RequestReceived):
                    requests[ev.stream_id] = [dict(ev.headers), bytearray()]
                elif isinstance(ev, h2.events.DataReceived):
                    if ev.stream_id in requests:
                        requests[ev.stream_id][1] += ev.data
                    conn.acknowledge_received_data(
                        ev.flow_controlled_length, ev.stream_id)
                elif isinstance(ev, h2.events.StreamEnded):
                    if ev.stream_id in requests:
                        served += 1
                        count_streams(served)
                        t = asyncio.create_task(
                            respond(ev.stream_id, *requests.pop(ev.stream_id)))
                        tasks.add(t)
                        t.add_done_callback(tasks.discard)
                elif isinstance(ev, h2.events.StreamReset):
                    requests.pop(ev.stream_id, None)
                elif isinstance(ev, (h2.events.WindowUpdated,
                                     h2.events.RemoteSettingsChanged)):
                    event, window[0] = window[0], asyncio.Event()
                    event.set()
                elif isinstance(ev, h2.events.ConnectionTerminated):
                    flush()
                    return
            flush()
            await writer.drain()
    finally:
        for t in tasks:
            t.cancel()


async def handle(reader, writer):
    stats["connections"] += 1
    alpn = writer.get_extra_info("ssl_object").selected_alpn_protocol()
    try:
        await (serve_h2 if alpn == "h2" else serve_http1)(reader, writer)
    except (ConnectionError, asyncio.IncompleteReadError, ValueError,
            ssl.SSLError, h2.exceptions.ProtocolError):
        pass  # the client went away or spoke nonsense: drop the connection
    finally:
        writer.close()


def write_file(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


async def main():
    global args
    p = argparse.ArgumentParser(description="HTTPS test server for enrich")
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--alpn", choices=["h2", "http/1.1"], default="h2")
    p.add_argument("--latency", type=float, default=0, metavar="MS")
    p.add_argument("--gather", type=int, default=0, metavar="N")
    p.add_argument("--port-file")
    p.add_argument("--stats")
    p.add_argument("--max-seconds", type=float, default=120)
    args = p.parse_args()
    global gathered
    gathered = asyncio.Event()

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)
    ctx.set_alpn_protocols([args.alpn])

    loop = asyncio.get_running_loop()
    # Quiet the tracebacks asyncio logs when a client rejects our certificate.
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx,
                                        backlog=1024)
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        write_file(args.port_file, "%d\n" % port)
    print(port, flush=True)
    try:
        await asyncio.wait_for(stop.wait(), args.max_seconds)
    except asyncio.TimeoutError:
        pass
    server.close()
    if args.stats:
        write_file(args.stats,
                   json.dumps(stats, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
