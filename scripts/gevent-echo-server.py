"""An upper-casing echo server on gevent: one greenlet per connection.

The gevent side of `npm run bench` and of the interop tests, so that anyone
can compare the TypeScript servers with gevent (no copy of the note needed).
Each connection gets its own greenlet that loops on recv and sendall; the
accept loop never waits for a connection to finish. gevent's cooperative
sockets are used directly, so no monkey-patching is needed.

Run:   /usr/bin/python3 scripts/gevent-echo-server.py [--host H] [--port N]
Look:  it prints `listening on HOST:PORT` once it accepts (port 0 = any free
       port); SIGINT or SIGTERM stops it with exit code 0.
Needs: gevent (Debian: apt-get install -y python3-gevent).
"""
import argparse
import errno
import os
import signal
import sys

try:
    import gevent
    from gevent import socket
except ImportError:
    sys.exit("gevent-echo-server: cannot import gevent: apt-get install -y python3-gevent")


def talk(conn):
    """Echo one connection in upper case until the peer hangs up."""
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data.upper())
    except OSError:
        pass  # a reset ends this connection only
    finally:
        conn.close()


def serve(listener):
    while True:
        try:
            conn, _ = listener.accept()
        except OSError as e:
            if e.errno in (errno.EMFILE, errno.ENFILE):
                gevent.sleep(0.01)  # out of descriptors: retry shortly
                continue
            raise
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        gevent.spawn(talk, conn)


def main():
    parser = argparse.ArgumentParser(description="Upper-casing echo server, one greenlet per connection.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", default="0", help="port; 0 = any free port (default: 0)")
    args = parser.parse_args()
    if not args.port.isdigit() or int(args.port) > 65535:
        parser.error(f"expected --port to be 0..65535, got {args.port!r}")

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((args.host, int(args.port)))
    except OSError as e:
        sys.exit(f"gevent-echo-server: cannot listen on {args.host}:{args.port} ({e.strerror}): try another --port")
    listener.listen(4096)
    host, port = listener.getsockname()[:2]
    print(f"listening on {host}:{port}", flush=True)

    # Stop at once on SIGINT or SIGTERM, with exit code 0 (nothing is buffered).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: os._exit(0))
    serve(listener)


if __name__ == "__main__":
    main()
