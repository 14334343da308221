/**
 * @title 500 clients at once, one task each
 * @note 二、并发的套接字通信 (客户端, the client)
 * @run npx tsx examples/07-client.ts
 * @output none
 *
 * The note's client: 500 connections, each sending `<its name> say hello`
 * and reading the reply, over and over; a thread each in the note, a task
 * each here. Start 06-server.ts first. Look at the summary line; clients
 * that failed are named (exit 1). Measured version: 09-client-threads.ts.
 */
import { parseArgs } from "node:util";
import { TimeoutError, connect, current, joinAll, spawn, withTimeout, type Connection } from "../lib/index.ts";

let [replies, start, stopAt] = [0, 0, 0]; // stop: after --duration, or at Ctrl-C
const failed = new Map<string, string[]>(); // what went wrong -> which clients

// The note's task(), in a loop; every await lets the other clients run.
async function task(host: string, port: number): Promise<void> {
  const msg = `${current().name} say hello`; // Task-1, Task-2, ...
  let conn: Connection | undefined;
  let what = "never connected"; // how far it got, for the summary
  try {
    conn = await withTimeout(3000, () => connect(host, port)); // give up after 3 s
    for (what = "got no reply"; Date.now() < stopAt; what = "lost its connection") {
      await conn.sendall(msg);
      const reply = String(await withTimeout(3000, () => conn!.recv(1024))); // short: one piece
      if (reply === "") throw new Error("closed by the server");
      if (reply !== msg.toUpperCase()) throw new Error("not upper-cased");
      if (++replies <= 10) console.log(reply); // the note prints every reply
    }
  } catch (e) {
    const why = e instanceof TimeoutError ? "timed out" : ((e as { code?: string }).code ?? (e as Error).message);
    const key = `${why === "not upper-cased" ? "got a wrong reply" : what} (${why})`;
    failed.set(key, [...(failed.get(key) ?? []), current().name]);
  } finally {
    conn?.close();
  }
}

// The command line (bad usage: one line, exit 2), then the run and a summary.
const run = "Deno" in globalThis ? "npx deno run -A" : process.versions.bun ? "npx bun" : "npx tsx";
const usage = `Usage: ${run} examples/07-client.ts [options]\n  --port N  --clients N  --duration S  --host ADDR  --help\n  (defaults: 8080, 500 clients, 3 seconds, 127.0.0.1)`;
const fail = (why: string, code = 1): never => process.exit(console.error(`error: ${why}`) ?? code);
const args = (() => {
  try { return parseArgs({ options: { host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "8080" }, clients: { type: "string", default: "500" }, duration: { type: "string", default: "3" }, help: { type: "boolean" } } }).values; }
  catch (e) { return fail(`${(e as Error).message.split(/\.\s/)[0]} (try --help)`, 2); }
})();
if (args.help) process.exit(console.log(usage) ?? 0);
const num = (k: "port" | "clients" | "duration", min: number, max: number, v = Number(args[k])) => v >= min && v <= max && (k === "duration" || Number.isInteger(v)) ? v : fail(`Expected \`--${k}\` to be a number from ${min} to ${max}, got \`${args[k]}\``, 2);
const [host, port, clients, seconds] = [args.host.trim() || fail("Expected `--host` to be an address, got ``", 2), num("port", 1, 65535), num("clients", 1, 10000), num("duration", 0.1, 3600)];
stopAt = (start = Date.now()) + seconds * 1000;
process.on("SIGINT", () => (stopAt = Date.now()));
await joinAll(Array.from({ length: clients }, () => spawn(task, host, port)));
const [only = ""] = failed.size === 1 && !replies ? failed.keys() : []; // none connected: one line
if (only.startsWith("never")) fail(`cannot connect to ${host}:${port} ${only.slice(16)}: ${only.includes("timed") ? "the server does not accept" : "is the server up?"}`);
const secs = (Math.min(Date.now(), stopAt) - start) / 1000;
console.log(`${clients} clients: ${replies.toLocaleString("en")} replies in ${secs.toFixed(1)} s, ${Math.round(replies / secs).toLocaleString("en")} per second`);
for (const [what, names] of failed) console.log(`${what}: ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`);
process.exit(failed.size > 0 || replies === 0 ? 1 : 0);
