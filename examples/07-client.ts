/**
 * @title 500 clients at once, one task each
 * @note 二、并发的套接字通信 (客户端, the client)
 * @run npx tsx examples/07-client.ts
 * @output none
 *
 * The note's client: 500 connections each send `<their name> say hello` and
 * read the reply, over and over; a thread each in the note, a task each here.
 * Start 06-server.ts first. Look at the summary: a client that could not
 * connect, got no reply (within 3 s, or at all before the run ended), lost
 * its connection or got a wrong reply is named, and the exit code is 1.
 */
import { addressOptions, cli, fail, hostOption } from "./support/cli.ts";
import { intOption, numberOption } from "./support/cli.ts";
import { Roster, type Member } from "./support/roster.ts";
import { connect, spawn } from "../lib/core.ts";

const roster = new Roster(3000); // gives up on a connect or a reply after 3 s

// The note's task(): send, read the whole reply, check it, and again until
// the run ends. Every await lets the other clients run.
async function client(me: Member): Promise<void> {
  const msg = `${me.name} say hello`; // Task-1 say hello, ...
  try {
    const conn = roster.connected(me, await connect(host, port));
    while (roster.next(me)) {
      await conn.sendall(msg);
      let reply = ""; // TCP is a stream: a reply may come in pieces
      while (reply.length < msg.length) {
        const piece = await conn.recv(msg.length - reply.length);
        if (piece.length === 0) throw new Error("closed by the server");
        reply += piece.toString("latin1");
      }
      // A wrong reply ends this client; the note prints every reply, we ten.
      const right = reply === msg.toUpperCase();
      if (roster.answered(me, right) <= 10) console.log(reply);
    }
  } catch (e) {
    roster.failed(me, e);
  } finally {
    roster.over(me);
  }
}

const opts = cli({
  usage: "npx tsx examples/07-client.ts [options]",
  about: "The note's client: many connections that each say hello.",
  options: {
    ...addressOptions("client"),
    clients: { type: "string", default: "500", help: "connections at once" },
    duration: { type: "string", default: "3", help: "seconds of traffic" },
  },
});
const port = intOption("port", opts.port, 1, 65535);
const clients = intOption("clients", opts.clients, 1, 10_000);
const seconds = numberOption("duration", opts.duration, 0.1, 3600);
const host = await hostOption(opts.host);
roster.begin(seconds * 1000);
process.on("SIGINT", () => roster.stop()); // Ctrl-C: stop now, and sum up
for (let i = 0; i < clients; i++) {
  const me = roster.add();
  me.name = spawn(client, me).name; // Task-1, Task-2, ...
}
await roster.watch(); // until every client is over
const none = roster.noneConnected(`${host}:${port}`); // one line will do
if (none) fail(none);
console.log(roster.summary().join("\n"));
process.exit(roster.ok() ? 0 : 1);
