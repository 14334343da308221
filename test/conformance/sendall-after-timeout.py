# After a Timeout ended a sendall, the next sendall on the connection does
# not wait behind the bytes the first one never handed over. The peer
# reads a little, so that the kernel has room for the next bytes.
import gevent
from gevent import socket

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
peer, _ = server.accept()
try:
    with gevent.Timeout(0.2):
        client.sendall(b"x" * (16 << 20))
except gevent.Timeout:
    print("sendall timed out")
got = 0
while got < 1 << 20:
    got += len(peer.recv(65536))
gevent.sleep(0.05)
client.sendall(b"END")
print("second sendall returned")
for s in (peer, client, server):
    s.close()
