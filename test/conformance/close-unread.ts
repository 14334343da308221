// close() with received bytes still unread resets the connection: the
// peer's recv throws ConnectionResetError instead of seeing a clean end.
import {
  ConnectionResetError,
  connect,
  listen,
  sleep,
} from "../../lib/index.ts";

const server = await listen("127.0.0.1", 0);
const client = await connect("127.0.0.1", server.address().port);
const peer = await server.accept();
await client.sendall("request");
await sleep(20);
peer.close(); // the request was never read
await sleep(20);
try {
  console.log("client recv:", await client.recv(100));
} catch (e) {
  if (e instanceof ConnectionResetError)
    console.log("client recv: ConnectionResetError");
}
client.close();
server.close();
