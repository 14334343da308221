// Shared by the bench's two node:net servers (scripts/bench-baseline.ts and
// scripts/bench-floor.ts): listen, print the ready line the bench waits for,
// survive running out of descriptors, exit 0 on SIGINT/SIGTERM.
import type net from "node:net";
import { fail } from "../../examples/support/cli.ts";

/** Listens on host:port (a long backlog by default) and prints `listening on HOST:PORT`. */
export function runBenchServer(
  server: net.Server,
  host: string,
  port: number,
  backlog = 4096,
): void {
  server.maxConnections = Infinity;
  server.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EMFILE" || error.code === "ENFILE") return; // retried by libuv
    fail(
      `cannot listen on ${host}:${port} (${error.code ?? error.message}): try another --port`,
    );
  });
  server.listen({ host, port, backlog }, () => {
    const a = server.address() as net.AddressInfo;
    console.log(`listening on ${a.address}:${a.port}`);
  });
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
