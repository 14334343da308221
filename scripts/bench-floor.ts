// The floor of `npm run bench`: the cheapest server we found that still
// waits for each message with `await`, as a task per connection does.
// No lib: no Task, no current(), no kill or Timeout, no backpressure.
// One async function per connection awaits a bare Promise per message,
// resolved with `undefined` while the bytes go through a variable
// (resolving it with the Buffer measured the same). Whatever this costs above the
// bare node:net callbacks (scripts/bench-baseline.ts) is the price of
// `await` itself: a server on a task library does at least this much.
// Usage: npx tsx scripts/bench-floor.ts [--host 127.0.0.1] [--port 0] [--backlog 4096]
import net from "node:net";
import { cli, intOption } from "../examples/support/cli.ts";
import { runBenchServer } from "./shared/bench-server.ts";

const opts = cli({
  usage: "npx tsx scripts/bench-floor.ts [--host H] [--port N] [--backlog N]",
  about:
    "Upper-casing echo server, one bare async function per connection; the floor of npm run bench.",
  options: {
    host: {
      type: "string",
      default: "127.0.0.1",
      help: "address to listen on",
    },
    port: { type: "string", default: "0", help: "port; 0 = any free port" },
    backlog: {
      type: "string",
      default: "4096",
      help: "the kernel's accept queue",
    },
  },
});
const port = intOption("port", opts.port, 0, 65535);
const backlog = intOption("backlog", opts.backlog, 1);
const UPPER = new Uint8Array(256).map((_, i) =>
  i >= 97 && i <= 122 ? i - 32 : i,
);

async function talk(sock: net.Socket): Promise<void> {
  let wake: ((v: undefined) => void) | undefined;
  let got: Buffer | undefined;
  let ended = false;
  const ready = () => {
    const w = wake;
    wake = undefined;
    w?.(undefined);
  };
  sock.on("data", (chunk: Buffer) => {
    got = got === undefined ? chunk : Buffer.concat([got, chunk]);
    ready();
  });
  const over = () => {
    ended = true;
    ready();
  };
  sock.on("end", over);
  sock.on("close", over); // also after an error (a reset)
  sock.on("error", () => sock.destroy());
  for (;;) {
    if (got === undefined && !ended)
      await new Promise<undefined>((resolve) => (wake = resolve));
    if (got === undefined) break; // ended, everything echoed
    const data = got;
    got = undefined;
    for (let i = 0; i < data.length; i++) data[i] = UPPER[data[i]!]!;
    sock.write(data);
  }
  sock.end();
}

const server = net.createServer(
  { noDelay: true, allowHalfOpen: true },
  (sock) => void talk(sock),
);
runBenchServer(server, opts.host ?? "127.0.0.1", port, backlog);
