// A Timeout ends a sendall to a peer that does not read: the bytes not yet
// handed over are never sent.
import { TimeoutError, connect, listen, withTimeout } from "../../lib/index.ts";

const N = 16 << 20;
const server = await listen("127.0.0.1", 0);
const client = await connect("127.0.0.1", server.address().port);
const peer = await server.accept();
try {
  await withTimeout(200, () => client.sendall(Buffer.alloc(N, "x")));
} catch (e) {
  if (e instanceof TimeoutError) console.log("sendall timed out");
}
client.close();
let got = 0;
for (let data; (data = await peer.recv(65536)).length > 0;) got += data.length;
console.log("peer got all", N, "bytes:", got === N);
peer.close();
server.close();
