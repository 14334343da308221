// recv/sendall between two tasks over 127.0.0.1; an empty Buffer means the peer closed.
import { connect, join, listen, spawn } from "../../lib/index.ts";

const server = await listen("127.0.0.1", 0);
const port = server.address().port;

const s = spawn(async () => {
  const conn = await server.accept();
  while (true) {
    const data = await conn.recv(1024);
    if (data.length === 0) {
      console.log("server: peer closed");
      break;
    }
    console.log("server got:", data.toString());
    await conn.sendall(data.toString().toUpperCase());
  }
  conn.close();
});
const client = await connect("127.0.0.1", port);
for (const word of ["hello", "world"]) {
  await client.sendall(word);
  console.log("client got:", (await client.recv(1024)).toString());
}
client.shutdown();
await join(s);
console.log("client sees the end:", (await client.recv(1024)).length === 0);
client.close();
server.close();
