# recv/sendall between two tasks over 127.0.0.1; b"" means the peer closed.
import gevent
from gevent import socket

server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
port = server.getsockname()[1]


def serve():
    conn, _ = server.accept()
    while True:
        data = conn.recv(1024)
        if not data:
            print("server: peer closed")
            break
        print("server got:", data.decode())
        conn.sendall(data.upper())
    conn.close()


s = gevent.spawn(serve)
client = socket.create_connection(("127.0.0.1", port))
for word in ["hello", "world"]:
    client.sendall(word.encode())
    print("client got:", client.recv(1024).decode())
client.shutdown(socket.SHUT_WR)
s.join()
print("client sees the end:", client.recv(1024) == b"")
client.close()
server.close()
