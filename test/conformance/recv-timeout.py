# A Timeout interrupts recv(); bytes that come later wait for the next recv().
import gevent
from gevent import socket, Timeout

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
peer, _ = server.accept()
try:
    with Timeout(0.02):
        client.recv(1024)
    print("never printed")
except Timeout:
    print("recv timed out")
peer.sendall(b"late")
print("next recv:", client.recv(1024).decode())
for s in (client, peer, server):
    s.close()
