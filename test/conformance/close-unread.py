# close() with received bytes still unread resets the connection: the
# peer's recv raises ConnectionResetError instead of seeing a clean end.
import gevent
from gevent import socket

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
peer, _ = server.accept()
client.sendall(b"request")
gevent.sleep(0.02)
peer.close()  # the request was never read
gevent.sleep(0.02)
try:
    print("client recv:", client.recv(100))
except ConnectionResetError:
    print("client recv: ConnectionResetError")
client.close()
server.close()
