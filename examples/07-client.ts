/**
 * @title 500 clients at once, one task each
 * @note 二、并发的套接字通信 (客户端, the client)
 * @run npx tsx examples/07-client.ts
 * @output none
 *
 * The note's client: 500 connections each send `<their name> say hello` and
 * read the reply, over and over; a thread each in the note, a task each here.
 * Start 06-server.ts first. Look at the summary: failed clients are named.
 */
import { parseArgs } from "node:util";
import {
  TimeoutError,
  connect,
  current,
  joinAll,
  spawn,
  withTimeout,
  type Connection,
} from "../lib/index.ts";

let [replies, start, stopAt] = [0, 0, 0];
const failed = new Map<string, string[]>(); // what went wrong -> who

// The note's task(), in a loop; every await lets the other clients run.
async function task(host: string, port: number): Promise<void> {
  const msg = `${current().name} say hello`; // Task-1, Task-2, ...
  let conn: Connection | undefined;
  let what = "never connected"; // how far it got, for the summary
  try {
    conn = await withTimeout(3000, () => connect(host, port)); // give up after 3 s
    for (
      what = "got no reply";
      Date.now() < stopAt;
      what = "lost its connection"
    ) {
      await conn.sendall(msg);
      const reply = String(await withTimeout(3000, () => conn!.recv(1024))); // short: one piece
      if (reply === "") throw new Error("closed by the server");
      if (reply !== msg.toUpperCase()) throw new Error("not upper-cased");
      if (++replies <= 10) console.log(reply); // the note prints every reply
    }
  } catch (e) {
    const why =
      e instanceof TimeoutError
        ? "timed out"
        : ((e as { code?: string }).code ?? (e as Error).message);
    const key = `${why === "not upper-cased" ? "got a wrong reply" : what} (${why})`;
    failed.set(key, [...(failed.get(key) ?? []), current().name]);
  } finally {
    conn?.close();
  }
}

// The command line (bad usage: one line, exit 2), then the run and a summary.
const runner =
  "Deno" in globalThis
    ? "npx deno run -A"
    : process.versions.bun
      ? "npx bun"
      : "npx tsx";
const help = `Usage: ${runner} examples/07-client.ts [--port N] [--clients N]
         [--duration S] [--host ADDR] [--help]  (8080, 500, 3 s, 127.0.0.1)`;
const fail: (message: string, code?: number) => never = (message, code = 1) => (
  console.error(`error: ${message}`),
  process.exit(code)
);
const opt = (value: string) => ({ type: "string", default: value }) as const;
const options = {
  host: opt("127.0.0.1"),
  port: opt("8080"),
  clients: opt("500"),
  duration: opt("3"),
  help: { type: "boolean" },
} as const;
const number = (
  name: string,
  value: string,
  min: number,
  max: number,
  whole = true,
) =>
  +value >= min && +value <= max && (!whole || Number.isInteger(+value))
    ? +value
    : fail(
        `Expected \`--${name}\` to be ${whole ? "an integer" : "a number"} from ${min} to ${max}, got \`${value}\``,
        2,
      );
const opts = (() => {
  try {
    return parseArgs({ options }).values;
  } catch (e) {
    return fail(`${(e as Error).message.split(/\.\s/)[0]} (try --help)`, 2);
  }
})();
if (opts.help) process.exit(console.log(help) ?? 0);
const host =
  opts.host.trim() ||
  fail(
    `Expected \`--host\` to be an address like 127.0.0.1, got \`${opts.host}\``,
    2,
  );
const [port, clients] = [
  number("port", opts.port, 1, 65535),
  number("clients", opts.clients, 1, 10_000),
];
stopAt =
  (start = Date.now()) +
  number("duration", opts.duration, 0.1, 3600, false) * 1000;
process.on("SIGINT", () => (stopAt = Date.now())); // Ctrl-C: stop now, with the summary
await joinAll(Array.from({ length: clients }, () => spawn(task, host, port)));
const [only = ""] = failed.size === 1 && !replies ? failed.keys() : []; // nobody connected: one line
if (only.startsWith("never"))
  fail(
    `cannot connect to ${host}:${port} ${only.slice(16)}: ${only.includes("timed") ? "the server does not accept" : "is the server up?"}`,
  );
const secs = (Math.min(Date.now(), stopAt) - start) / 1000; // the traffic window
console.log(
  `${clients} clients: ${replies.toLocaleString("en")} replies in ${secs.toFixed(1)} s, ${Math.round(replies / secs).toLocaleString("en")} per second`,
);
for (const [what, names] of failed)
  console.log(
    `${what}: ${names.slice(0, 3).join(", ")}${names.length > 3 ? ` and ${names.length - 3} more` : ""}`,
  );
process.exit(failed.size > 0 || replies === 0 ? 1 : 0);
