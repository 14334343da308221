// A kill ends a sendall to a peer that does not read: the bytes not yet
// handed over are never sent.
import { connect, listen, sleep, spawn } from "../../lib/index.ts";

const N = 16 << 20;
const server = await listen("127.0.0.1", 0);
const client = await connect("127.0.0.1", server.address().port);
const peer = await server.accept();
const sender = spawn(() => client.sendall(Buffer.alloc(N, "x")));
await sleep(100);
await sender.kill();
console.log("sender killed:", sender.ready());
client.close();
let got = 0;
for (let data; (data = await peer.recv(65536)).length > 0;) got += data.length;
console.log("peer got all", N, "bytes:", got === N);
peer.close();
server.close();
