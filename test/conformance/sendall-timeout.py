# A Timeout ends a sendall to a peer that does not read: the bytes not yet
# handed to the kernel are never sent.
import gevent
from gevent import socket

N = 16 << 20
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
peer, _ = server.accept()
try:
    with gevent.Timeout(0.2):
        client.sendall(b"x" * N)
except gevent.Timeout:
    print("sendall timed out")
client.close()
got = 0
while data := peer.recv(65536):
    got += len(data)
print("peer got all", N, "bytes:", got == N)
peer.close()
server.close()
