// kill() reaches a task waiting in recv() on a socket (127.0.0.1).
import { connect, listen, sleep, spawn } from "../../lib/index.ts";

const server = await listen("127.0.0.1", 0);
const port = server.address().port;

const reader = spawn(async () => {
  const conn = await connect("127.0.0.1", port);
  try {
    console.log("reader waits in recv");
    await conn.recv(1024);
    console.log("never printed");
  } finally {
    console.log("reader: finally, closes");
    conn.close();
  }
});
const peer = await server.accept();
await sleep(20);
await reader.kill();
console.log("killed:", reader.killed);
console.log("the peer sees the end:", (await peer.recv(1024)).length === 0);
peer.close();
server.close();
