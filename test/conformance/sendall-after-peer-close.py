# sendall on a half-closed connection whose peer has closed too: the
# sending side is gone, BrokenPipeError (EPIPE).
import errno
from gevent import socket

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
peer, _ = server.accept()
client.shutdown(socket.SHUT_WR)
print("peer recv:", len(peer.recv(10)), "bytes")
peer.close()
print("client recv:", len(client.recv(10)), "bytes")
try:
    client.sendall(b"x")
except OSError as e:
    print("sendall:", type(e).__name__, errno.errorcode[e.errno])
client.close()
server.close()
