// A Timeout interrupts recv(); bytes that come later wait for the next recv().
import { TimeoutError, connect, listen, withTimeout } from "../../lib/index.ts";

const server = await listen("127.0.0.1", 0);
const client = await connect("127.0.0.1", server.address().port);
const peer = await server.accept();
try {
  await withTimeout(20, () => client.recv(1024));
  console.log("never printed");
} catch (e) {
  if (e instanceof TimeoutError) console.log("recv timed out");
}
await peer.sendall("late");
console.log("next recv:", (await client.recv(1024)).toString());
for (const s of [client, peer, server]) s.close();
