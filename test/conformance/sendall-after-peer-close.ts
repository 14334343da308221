// sendall on a half-closed connection whose peer has closed too: the
// sending side is gone, BrokenPipeError (EPIPE).
import { connect, listen } from "../../lib/index.ts";

const server = await listen("127.0.0.1", 0);
const client = await connect("127.0.0.1", server.address().port);
const peer = await server.accept();
client.shutdown();
console.log("peer recv:", (await peer.recv(10)).length, "bytes");
peer.close();
console.log("client recv:", (await client.recv(10)).length, "bytes");
try {
  await client.sendall("x");
} catch (e) {
  const { name, code } = e as NodeJS.ErrnoException;
  console.log("sendall:", name, code);
}
client.close();
server.close();
