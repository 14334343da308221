// The yardstick of `npm run bench`: the note's upper-casing echo server
// written with bare node:net callbacks, no tasks and no lib.
// Usage: npx tsx scripts/bench-baseline.ts [--host 127.0.0.1] [--port 0]
import net from "node:net";
import { cli, intOption } from "../examples/support/cli.ts";
import { runBenchServer } from "./shared/bench-server.ts";

const opts = cli({
  usage: "npx tsx scripts/bench-baseline.ts [--host H] [--port N]",
  about:
    "Bare node:net echo server that upper-cases ASCII; the baseline of npm run bench.",
  options: {
    host: {
      type: "string",
      default: "127.0.0.1",
      help: "address to listen on",
    },
    port: { type: "string", default: "0", help: "port; 0 = any free port" },
  },
});
const port = intOption("port", opts.port, 0, 65535);

// What Python's bytes.upper() does: only a-z change. Done in place on
// the chunk node:net hands us, which is ours to keep.
function upper(chunk: Buffer): Buffer {
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i]!;
    if (b >= 0x61 && b <= 0x7a) chunk[i] = b - 0x20;
  }
  return chunk;
}

const server = net.createServer({ noDelay: true }, (sock) => {
  sock.on("data", (chunk: Buffer) => {
    // Respect backpressure like the lib's sendall() does.
    if (!sock.write(upper(chunk))) {
      sock.pause();
      sock.once("drain", () => sock.resume());
    }
  });
  sock.on("error", () => sock.destroy());
  sock.on("end", () => sock.end());
});
runBenchServer(server, opts.host ?? "127.0.0.1", port);
