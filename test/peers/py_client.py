"""A WebSocket client built on Debian's python3-websockets, for testing our server.

Usage: py_client.py URL [--ca FILE] [--expect N] MESSAGE...
Sends every MESSAGE, then prints each received message as a JSON line until N were received
(default: as many as were sent), then closes cleanly and prints "DONE".
"""
import argparse
import asyncio
import json
import ssl

import websockets


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("messages", nargs="*")
    parser.add_argument("--ca")
    parser.add_argument("--expect", type=int)
    args = parser.parse_args()

    context = None
    if args.url.startswith("wss:"):
        context = ssl.create_default_context(cafile=args.ca)

    async with websockets.connect(args.url, ssl=context, max_size=2**26) as websocket:
        print("OPEN", flush=True)
        for message in args.messages:
            await websocket.send(message)
        expected = len(args.messages) if args.expect is None else args.expect
        for _ in range(expected):
            received = await asyncio.wait_for(websocket.recv(), timeout=20)
            print(json.dumps(received, ensure_ascii=False), flush=True)
    print("DONE", flush=True)


asyncio.run(main())
