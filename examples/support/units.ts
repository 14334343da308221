/**
 * Worker threads and child processes for example 04: start `n` of them,
 * wait until all are up, then let them run one job at once and measure
 * the wall time, the start-up time per unit and the memory per unit.
 * Each unit runs `unitBody` (below) from its source text, with no
 * loader: it says "up", waits for "go", does its job, reports its RSS.
 */
import { spawn } from "node:child_process";
import { Worker, type MessagePort } from "node:worker_threads";

/** What one way of running units measured. */
export interface Result {
  wallMs: number;
  startMs: number;
  memBytes: number;
}

/**
 * The body of a unit. It runs inside the thread or process, so it uses
 * only what it is given: the port to the main thread (null in a child
 * process, which talks over stdin and stdout instead) and its job.
 */
export function unitBody(parent: MessagePort | null, work: () => void): void {
  const say = (m: string) =>
    parent ? parent.postMessage(m) : process.stdout.write(`${m}\n`);
  const report = () => say(String(process.memoryUsage().rss));
  say("up");
  if (parent) parent.once("message", () => (work(), report()));
  else process.stdin.once("data", () => (work(), report(), process.exit(0)));
}

// The code a unit runs: unitBody's own text and the helpers', then the
// call. tsx builds functions with a `__name` helper that keeps their
// names: the unit gets a stand-in that does nothing.
const source = (job: string, helpers: ((...a: never[]) => unknown)[]) => `
const __name = (f) => f;
${helpers.map((f) => f.toString()).join("\n")}
const { parentPort } = require("node:worker_threads");
(${unitBody.toString()})(parentPort, () => { ${job}; });`;

// Starts `n` units running `job`; resolves once all are up, with a
// `go` that starts the jobs and resolves with their reports (RSS).
// A unit that fails rejects whichever of the two is pending.
function startUnits(
  way: "threads" | "processes",
  n: number,
  code: string,
): Promise<{ go: () => Promise<number[]> }> {
  let up = 0;
  const reports: number[] = [];
  const sends: (() => void)[] = [];
  let settle = { resolve: (_: unknown) => {}, reject: (_: Error) => {} };
  const onLine = (line: string) => {
    if (line === "up") {
      if (++up === n) settle.resolve({ go });
    } else if (reports.push(Number(line)) === n) settle.resolve(reports);
  };
  const go = () =>
    new Promise<number[]>((resolve, reject) => {
      settle = { resolve: resolve as (_: unknown) => void, reject };
      for (const send of sends) send();
    });
  const fail = (error: Error) => settle.reject(error);
  for (let i = 0; i < n; i++) {
    if (way === "threads") {
      const w = new Worker(code, { eval: true, execArgv: [] });
      w.on("message", onLine);
      w.on("error", fail);
      sends.push(() => w.postMessage("go"));
    } else {
      const p = spawn(process.execPath, ["-e", code], {
        stdio: ["pipe", "pipe", "inherit"],
      });
      let buf = "";
      p.stdout.on("data", (d: Buffer) => {
        buf += d;
        for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
          onLine(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      p.on("error", fail);
      p.on(
        "exit",
        (status) =>
          status !== 0 &&
          fail(new Error(`a child process exited with code ${status}`)),
      );
      sends.push(() => p.stdin.end("go\n"));
    }
  }
  return new Promise((resolve, reject) => {
    settle = { resolve: resolve as (_: unknown) => void, reject };
  });
}

/**
 * Runs `n` units of `job` (JavaScript text, which may call `helpers`)
 * as threads or processes, and measures them.
 */
export async function runUnits(
  way: "threads" | "processes",
  n: number,
  job: string,
  helpers: ((...a: never[]) => unknown)[] = [],
): Promise<Result> {
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const { go } = await startUnits(way, n, source(job, helpers));
  const startMs = (performance.now() - t0) / n;
  const rssUp = process.memoryUsage().rss;
  const reports = await go();
  const wallMs = performance.now() - t0;
  // A thread lives in our process: count what our memory grew by. A
  // process has its own: count what it reports, on average.
  let sum = 0;
  for (const r of reports) sum += r;
  const memBytes = way === "threads" ? (rssUp - rss0) / n : sum / n;
  return { wallMs, startMs, memBytes };
}
