// listen() with backlog 1 on a server that never accepts: node:net accepts
// every connection by itself, so no connect waits.
import {
  connect,
  listen,
  withTimeout,
  type Connection,
} from "../../lib/index.ts";

const server = await listen("127.0.0.1", 0, { backlog: 1 });
const port = server.address().port;
const clients: Connection[] = [];
for (let i = 0; i < 4; i++) {
  try {
    clients.push(await withTimeout(2000, () => connect("127.0.0.1", port)));
    console.log("connect", i, "ok");
  } catch {
    console.log("connect", i, "timed out");
    break;
  }
}
for (const c of clients) c.close();
server.close();
