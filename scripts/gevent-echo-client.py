"""A client for the upper-casing echo servers, on gevent: one greenlet per
connection, each sending a message and reading its reply, --messages times.

The gevent side of the interop tests: a gevent client against our
TypeScript servers (scripts/gevent-echo-server.py is the other way round).
It stops by itself and prints one JSON line:
  {"connected": N, "replies": N, "wrong": N, "errors": N, "greenlets": N}
where `greenlets` counts the connections that got at least one right reply.

Run:   /usr/bin/python3 scripts/gevent-echo-client.py --port N [--host H]
           [--clients 20] [--messages 50]
Needs: gevent (Debian: apt-get install -y python3-gevent).
"""
import argparse
import json
import sys

try:
    import gevent
    from gevent import socket
except ImportError:
    sys.exit("gevent-echo-client: cannot import gevent: apt-get install -y python3-gevent")

parser = argparse.ArgumentParser(description="Echo client, one greenlet per connection; prints JSON.")
parser.add_argument("--host", default="127.0.0.1", help="server address (default: 127.0.0.1)")
parser.add_argument("--port", type=int, required=True, help="server port")
parser.add_argument("--clients", type=int, default=20, help="connections, one greenlet each (default: 20)")
parser.add_argument("--messages", type=int, default=50, help="messages per connection (default: 50)")
parser.add_argument("--timeout", type=float, default=10.0, help="seconds a connection may take in all (default: 10)")
args = parser.parse_args()

counts = {"connected": 0, "replies": 0, "wrong": 0, "errors": 0, "greenlets": 0}


def client(n):
    msg = f"greenlet-{n} say hello".encode()
    want = msg.upper()
    ok = 0
    try:
        with gevent.Timeout(args.timeout):
            conn = socket.create_connection((args.host, args.port))
            counts["connected"] += 1
            try:
                for _ in range(args.messages):
                    conn.sendall(msg)
                    got = b""
                    while len(got) < len(want):  # a reply may come in pieces
                        chunk = conn.recv(1024)
                        if not chunk:
                            raise ConnectionError("the server closed the connection")
                        got += chunk
                    if got == want:
                        ok += 1
                    else:
                        counts["wrong"] += 1
            finally:
                conn.close()
    except (OSError, gevent.Timeout):
        counts["errors"] += 1
    counts["replies"] += ok
    counts["greenlets"] += 1 if ok else 0


gevent.joinall([gevent.spawn(client, n) for n in range(1, args.clients + 1)])
print(json.dumps(counts), flush=True)
