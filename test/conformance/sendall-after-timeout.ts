// After a Timeout ended a sendall, the next sendall on the connection does
// not wait behind the bytes the first one never handed over. The peer
// reads a little, so that the kernel has room for the next bytes.
import {
  TimeoutError,
  connect,
  listen,
  sleep,
  withTimeout,
} from "../../lib/index.ts";

const server = await listen("127.0.0.1", 0);
const client = await connect("127.0.0.1", server.address().port);
const peer = await server.accept();
try {
  await withTimeout(200, () => client.sendall(Buffer.alloc(16 << 20, "x")));
} catch (e) {
  if (e instanceof TimeoutError) console.log("sendall timed out");
}
for (let got = 0; got < 1 << 20;) got += (await peer.recv(65536)).length;
await sleep(50);
await client.sendall("END");
console.log("second sendall returned");
for (const s of [peer, client, server]) s.close();
