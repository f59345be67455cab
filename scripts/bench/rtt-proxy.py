#!/usr/bin/env python3
"""A TCP proxy in front of a PostgreSQL server that plays a network and counts round trips.

Usage: rtt-proxy.py LISTEN_PORT SERVER_HOST SERVER_PORT DELAY_MS STATS_FILE [SQL_LOG]

Every byte is delivered DELAY_MS after it arrived, in each direction, so a request and its answer
take 2 * DELAY_MS more: a round trip of 2 * DELAY_MS, with the bandwidth of loopback.

It counts, over all connections, the round trips: a client send that follows bytes from the server
(or opens the connection) starts one; the client waits for the server once per round trip, whatever
it sends in between. It also counts the protocol messages the client sends: simple queries (Q),
Parse/Bind/Execute (P/B/E), Syncs (S) and COPY data. On start, on SIGUSR1 and at exit it writes the counts to
STATS_FILE as "key value" lines; "written" counts the writes, so a reader can wait for a fresh one. With SQL_LOG, each query text is appended there, one line each,
prefixed with the connection number and the round trip it started in.
"""
import asyncio
import os
import signal
import struct
import sys
import time

listen_port, host, port, delay_ms, stats_file = sys.argv[1:6]
sql_log_path = sys.argv[6] if len(sys.argv) > 6 else None
delay = int(delay_ms) / 1000.0
stats = {"connections": 0, "round_trips": 0, "Q": 0, "P": 0, "B": 0, "E": 0, "S": 0,
         "copy_data": 0, "bytes_up": 0, "bytes_down": 0}
sql_log = open(sql_log_path, "a", buffering=1) if sql_log_path else None


def write_stats():
    stats["written"] = stats.get("written", 0) + 1
    tmp = stats_file + ".tmp"
    with open(tmp, "w") as f:
        for k, v in stats.items():
            f.write(f"{k} {v}\n")
    os.replace(tmp, stats_file)


class Link:
    """One client connection: which side spoke last, and the client's message parser."""

    def __init__(self, number):
        self.number = number
        self.server_spoke = True  # the connection's first send starts a round trip
        self.buf = b""
        self.started = False  # the startup packet has no type byte
        self.statements = {}  # statement name -> text, for the SQL log
        self.bound = b""

    def client_bytes(self, data):
        if self.server_spoke:
            stats["round_trips"] += 1
            self.server_spoke = False
        stats["bytes_up"] += len(data)
        self.buf += data
        while True:
            if not self.started:
                if len(self.buf) < 4:
                    return
                n = struct.unpack("!I", self.buf[:4])[0]
                if len(self.buf) < n:
                    return
                code = struct.unpack("!I", self.buf[4:8])[0] if n >= 8 else 0
                self.buf = self.buf[n:]
                # SSLRequest/GSSENCRequest are answered by one byte; the startup packet follows.
                if code not in (80877103, 80877104):
                    self.started = True
                continue
            if len(self.buf) < 5:
                return
            kind = chr(self.buf[0])
            n = struct.unpack("!I", self.buf[1:5])[0]
            if len(self.buf) < 1 + n:
                return
            body = self.buf[5:1 + n]
            self.buf = self.buf[1 + n:]
            if kind in ("Q", "P", "B", "E", "S"):
                stats[kind] += 1
            elif kind == "d":
                stats["copy_data"] += 1
            if sql_log:
                self.log(kind, body)

    def log(self, kind, body):
        """Logs each statement run: a simple query, or an Execute of a parsed statement."""
        def cstring(b, at=0):
            end = b.index(b"\0", at)
            return b[at:end], end + 1

        if kind == "P":
            name, at = cstring(body)
            self.statements[name] = cstring(body, at)[0]
            return
        if kind == "B":
            _, at = cstring(body)
            self.bound = self.statements.get(cstring(body, at)[0], b"?")
            return
        if kind not in ("Q", "E"):
            return
        text = cstring(body)[0] if kind == "Q" else self.bound
        sql = " ".join(text.decode("utf-8", "replace").split())
        if sql:
            sql_log.write(f"{self.number} {stats['round_trips']} {kind} {sql[:300]}\n")

    def server_bytes(self, data):
        self.server_spoke = True
        stats["bytes_down"] += len(data)


async def pump(reader, writer, on_bytes):
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    sender = asyncio.ensure_future(deliver())
    try:
        while True:
            data = await reader.read(1 << 16)
            if not data:
                break
            on_bytes(data)
            queue.put_nowait((time.monotonic() + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((0, None))
    try:
        await sender
    except (ConnectionError, OSError):
        pass


async def handle(client_reader, client_writer):
    stats["connections"] += 1
    link = Link(stats["connections"])
    try:
        server_reader, server_writer = await asyncio.open_connection(host, int(port))
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer, link.client_bytes),
                         pump(server_reader, client_writer, link.server_bytes))


async def main():
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, write_stats)
    loop.add_signal_handler(signal.SIGTERM, done.set)
    loop.add_signal_handler(signal.SIGINT, done.set)
    server = await asyncio.start_server(handle, "127.0.0.1", int(listen_port))
    write_stats()
    async with server:
        await done.wait()
    write_stats()


asyncio.run(main())
