// Helpers for the network tests: start an example as a child process,
// wait for its ready line, collect its output, and always stop it.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import net from "node:net";

export interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the child is gone. */
  exited: Promise<number | string>;
  /** Stops the child if it still runs (SIGKILL); safe to call twice. */
  kill: () => void;
}

/** Starts `cmd args` with NO_COLOR and collects its output. */
export function start(
  cmd: string,
  args: string[],
  options: { cwd?: string; detached?: boolean } = {},
): Child {
  const proc = spawn(cmd, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: plainEnv(),
    ...options,
  });
  let out = "";
  let err = "";
  proc.stdout?.setEncoding("utf8").on("data", (s: string) => (out += s));
  proc.stderr?.setEncoding("utf8").on("data", (s: string) => (err += s));
  const exited = new Promise<number | string>((resolve) =>
    proc.on("exit", (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null)
        proc.kill("SIGKILL");
    },
  };
}

/** The environment without colour (FORCE_COLOR removed: even empty, it overrides NO_COLOR). */
export function plainEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.FORCE_COLOR;
  return env;
}

/** Runs an example with node + tsx (`detached`: in a process group of its own). */
export function example(
  file: string,
  args: string[],
  options: { detached?: boolean } = {},
): Child {
  return start(
    process.execPath,
    ["--import", "tsx", `examples/${file}`, ...args],
    options,
  );
}

/** Waits until `pattern` matches the child's stdout; rejects if it exits first or after `ms`. */
export async function waitFor(
  child: Child,
  pattern: RegExp,
  ms = 60_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = child.stdout().match(pattern);
    if (m) return m;
    if (
      child.proc.exitCode !== null ||
      child.proc.signalCode !== null ||
      Date.now() > deadline
    ) {
      throw new Error(
        `no ${pattern} in stdout (exit ${child.proc.exitCode ?? child.proc.signalCode}):\n${child.stdout()}\n${child.stderr()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts a server example (06 unless `file` says) on a free port; resolves once it is ready. */
export async function startServer(
  args: string[] = [],
  file = "06-server.ts",
  options: { detached?: boolean } = {},
): Promise<Child & { port: number }> {
  const child = example(file, ["--port", "0", ...args], options);
  try {
    const m = await waitFor(child, /^listening on 127\.0\.0\.1:(\d+)$/m);
    return { ...child, port: Number(m[1]) };
  } catch (e) {
    child.kill();
    throw e;
  }
}

/** A port that was free a moment ago (for programs that take no port 0). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Resolves with the child's exit code, or rejects after `ms`. */
export async function exitWithin(
  child: Child,
  ms: number,
): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `still running after ${ms} ms:\n${child.stdout()}\n${child.stderr()}`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([child.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Python's bytes.upper(): a-z become A-Z, every other byte stays. */
export function pyUpper(data: Uint8Array): Buffer {
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i++) {
    const b = out[i]!;
    if (b >= 0x61 && b <= 0x7a) out[i] = b - 0x20;
  }
  return out;
}

/**
 * A server that listens (backlog 1) but never accepts: its event loop is
 * blocked, so the kernel completes a couple of handshakes, then drops
 * further SYNs. Resolves with its port and a stop function.
 */
export async function deafServer(): Promise<{
  port: number;
  stop: () => void;
}> {
  const code = `const s = require("node:net").createServer(() => {});
s.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
  console.log("port " + s.address().port);
  setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000), 10);
});`;
  const child = start(process.execPath, ["-e", code]);
  const m = await waitFor(child, /^port (\d+)$/m, 10_000);
  return { port: Number(m[1]), stop: child.kill };
}

/**
 * Fills the accept queue of a server that never accepts: opens
 * connections one at a time until one is still not connected after
 * 700 ms (the kernel drops its handshake). Returns them all, to destroy.
 */
export async function fillQueue(port: number): Promise<net.Socket[]> {
  const held: net.Socket[] = [];
  for (let i = 0; i < 64; i++) {
    const s = holdOpen(port);
    held.push(s);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 700);
      s.once("connect", () => (clearTimeout(timer), resolve(true)));
    });
    if (!connected) return held;
  }
  throw new Error("the accept queue never filled up");
}

/** Opens a connection and keeps it (for filling a server's accept queue); never rejects. */
export function holdOpen(port: number): net.Socket {
  const s = net.connect({ host: "127.0.0.1", port });
  s.on("error", () => {});
  return s;
}

/** Every line of `text` longer than 80 columns. */
export function longLines(text: string): string[] {
  return text.split("\n").filter((l) => [...l].length > 80);
}

/**
 * A server in this process that upper-cases for the first `answered`
 * connections and never replies to the others (`answered` 0: a server
 * that accepts and never answers; `upper` false: a plain echo).
 */
export async function pickyServer(
  answered: number,
  upper = true,
): Promise<{ port: number; close: () => void }> {
  const socks = new Set<net.Socket>();
  let seen = 0;
  const server = net.createServer((s) => {
    socks.add(s);
    s.on("error", () => {});
    if (++seen > answered) return;
    s.on("data", (d: Buffer) => s.write(upper ? pyUpper(d) : d));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () => {
      for (const s of socks) s.destroy();
      server.close();
    },
  };
}
