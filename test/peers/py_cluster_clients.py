"""A pool of WebSocket clients on Debian's python3-websockets, for test/cluster.test.ts.

Usage: py_cluster_clients.py URL COUNT
Opens COUNT connections to URL + "/c<i>" (i = 0 … COUNT-1) and prints "OPEN <COUNT>" once all are
open. Each connection sends "hello:<i>" when it opens (again after a reconnect). Every received
text is printed as `RECV {"c": i, "data": text}`. A connection that ends without a clean close
(its node died) reconnects to URL, prints `REOPEN i`; one closed cleanly (Отключить) prints
`CLOSED i` and stays closed.

Commands on stdin, one per line:
  seq FROM TO N     clients FROM … TO-1 each send "seq:<i>:<k>" for k = 0 … N-1
  stop              close everything and exit
"""
import asyncio
import json
import sys

import websockets

URL = sys.argv[1]
COUNT = int(sys.argv[2])
sockets = {}
opened = set()


def say(*parts):
    print(*parts, flush=True)


async def client(i):
    while True:
        try:
            async with websockets.connect(f"{URL}/c{i}", max_size=2**24, open_timeout=20) as ws:
                sockets[i] = ws
                await ws.send(f"hello:{i}")
                if i in opened:
                    say("REOPEN", i)
                else:
                    opened.add(i)
                    if len(opened) == COUNT:
                        say("OPEN", COUNT)
                async for message in ws:
                    say("RECV", json.dumps({"c": i, "data": message}, ensure_ascii=False))
            sockets.pop(i, None)
            say("CLOSED", i)
            return
        except (websockets.exceptions.ConnectionClosedError, OSError, asyncio.TimeoutError, websockets.exceptions.InvalidStatusCode):
            sockets.pop(i, None)
            await asyncio.sleep(0.2)


async def commands():
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().split()
        if not line or line[0] == "stop":
            return
        if line[0] == "seq":
            start, end, n = int(line[1]), int(line[2]), int(line[3])
            for i in range(start, end):
                ws = sockets.get(i)
                if ws is None:
                    continue  # closed by the server (Отключить), or reconnecting
                for k in range(n):
                    await ws.send(f"seq:{i}:{k}")
            say("SENT", line[1], line[2], line[3])


async def main():
    tasks = [asyncio.create_task(client(i)) for i in range(COUNT)]
    await commands()
    for t in tasks:
        t.cancel()


asyncio.run(main())
