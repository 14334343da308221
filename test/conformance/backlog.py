# listen(1) on a server that never accepts: the kernel queues the first
# handshakes (Linux: backlog + 1), then the next connect waits.
import gevent
from gevent import socket

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
clients = []
for i in range(4):
    try:
        with gevent.Timeout(2):
            clients.append(socket.create_connection(server.getsockname()))
        print("connect", i, "ok")
    except gevent.Timeout:
        print("connect", i, "timed out")
        break
for c in clients:
    c.close()
server.close()
