"""A WebSocket echo server built on Debian's python3-websockets, for testing our client.

Usage: py_echo_server.py [--cert FILE --key FILE] [--close-after N]
Prints "READY <port>" once listening on 127.0.0.1.
--close-after N: after echoing N messages, close the connection cleanly (code 1000).
"""
import argparse
import asyncio
import ssl

import websockets


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--close-after", type=int, default=0)
    args = parser.parse_args()

    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)

    async def echo(websocket, path=None):
        count = 0
        async for message in websocket:
            await websocket.send(message)
            count += 1
            if args.close_after and count >= args.close_after:
                await websocket.close(1000, "enough")
                return

    async with websockets.serve(echo, "127.0.0.1", 0, ssl=context, max_size=2**26) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"READY {port}", flush=True)
        await asyncio.Future()


asyncio.run(main())
