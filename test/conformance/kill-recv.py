# kill() reaches a task waiting in recv() on a socket (127.0.0.1).
import gevent
from gevent import socket

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
port = server.getsockname()[1]


def reader():
    conn = socket.create_connection(("127.0.0.1", port))
    try:
        print("reader waits in recv")
        conn.recv(1024)
        print("never printed")
    finally:
        print("reader: finally, closes")
        conn.close()


g = gevent.spawn(reader)
peer, _ = server.accept()
gevent.sleep(0.02)
g.kill()
print("killed:", isinstance(g.value, gevent.GreenletExit))
print("the peer sees the end:", peer.recv(1024) == b"")
peer.close()
server.close()
