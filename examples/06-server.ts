/**
 * @title An upper-case echo server: one task per connection
 * @note 二、并发的套接字通信 (服务端, the server)
 * @run npx tsx examples/06-server.ts
 * @output none
 *
 * The note's gevent server: an accept loop spawns one task per client, which
 * echoes what it receives upper-cased until the client hangs up; all on one
 * thread. Look for the ready line, then run 07-client.ts against it. Ctrl-C
 * (or SIGTERM, SIGHUP) stops it with a one-line summary.
 */
import { addressOptions, cli, fail, hostOption } from "./support/cli.ts";
import { intOption, listenFailure, onStop } from "./support/cli.ts";
import { listen, spawn, type Connection } from "../lib/core.ts";

// Python's bytes.upper(): a-z become A-Z, every other byte stays.
const UPPER = new Uint8Array(256).map((_, i) =>
  i >= 97 && i <= 122 ? i - 32 : i,
);
let served = 0; // connections accepted, for the summary

// The note's talk(), a task per connection. recv() is a switch point:
// while this client is quiet, the other tasks run.
async function talk(conn: Connection): Promise<void> {
  try {
    for (;;) {
      const data = await conn.recv(65536); // the note reads 1024 at a time
      if (data.length === 0) break; // the client closed its side
      for (let i = 0; i < data.length; i++) data[i] = UPPER[data[i]!]!;
      await conn.sendall(data);
    }
  } catch {
    // A reset (ConnectionResetError) ends this connection only.
  } finally {
    conn.close();
  }
}

// The note's server(): listen, then accept forever, a new task each.
async function server(host: string, port: number): Promise<never> {
  // The note's backlog of 5 is short for 500 clients connecting at once.
  const s = await listen(host, port, { backlog: 1024 });
  console.log(`listening on ${s.address().host}:${s.address().port}`);
  for (;;) {
    spawn(talk, await s.accept());
    served++;
  }
}

const opts = cli({
  usage: "npx tsx examples/06-server.ts [options]",
  about: "The note's server: echoes what each client sends, upper-cased.",
  options: addressOptions("server"),
});
const port = intOption("port", opts.port, 0, 65535);
const host = await hostOption(opts.host);
onStop(() => `stopped: ${served} connection${served === 1 ? "" : "s"} served`);
await server(host, port).catch((e) => fail(listenFailure(e, host, port)));
