// `npm run bench`: what does a task per connection cost? Runs the lib's
// server, bare node:net, the floor (bare await) and gevent against the
// same load, interleaved over rounds, then the spawn-cost and timing-demo
// benches; prints tables, a chart of ratios and each target met or missed
// (by how much), and writes the raw results as JSON. `--quick` = smoke size.
import { $, fs } from "zx";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { ChildProcess } from "node:child_process";
import { cli, fail, intOption, numberOption } from "../examples/support/cli.ts";

const opts = cli({
  usage:
    "npm run bench -- [options]     (or: npx tsx scripts/bench.ts [options])",
  about: [
    "Benchmarks examples/06-server.ts against a bare node:net server " +
      "(scripts/bench-baseline.ts), the cheapest await-per-message server " +
      "(scripts/bench-floor.ts) and a gevent server " +
      "(scripts/gevent-echo-server.py), then the cost of spawning tasks " +
      "and of the timing demo.",
    "Prints a table, a chart of ratios, the targets met or missed; writes " +
      "raw results as JSON.",
  ].join("\n"),
  options: {
    quick: {
      type: "boolean",
      default: false,
      help: "tiny configuration (a smoke test, seconds)",
    },
    conns: {
      type: "string",
      default: "500,5000",
      help: "connection levels, comma-separated",
    },
    rounds: {
      type: "string",
      default: "3",
      help: "rounds; the servers take turns in each",
    },
    warmup: {
      type: "string",
      default: "2",
      help: "seconds of warm-up traffic before measuring",
    },
    measure: {
      type: "string",
      default: "5",
      help: "seconds measured per server, level and round",
    },
    drivers: {
      type: "string",
      help: "load-driver processes (default: one per CPU left for the load)",
    },
    servers: {
      type: "string",
      default: "baseline,floor,lib,gevent",
      help: "which servers; gevent only if it imports",
    },
    only: {
      type: "string",
      default: "server,spawn,timing",
      help: "which benches",
    },
    tasks: {
      type: "string",
      default: "1000000",
      help: "tasks in the spawn-cost bench",
    },
    "lib-server": {
      type: "string",
      default: "examples/06-server.ts",
      help: "the lib server to measure; a variant, for profiling",
    },
    json: {
      type: "string",
      help: "where to write the raw results (default bench-results/bench-<time>.json)",
    },
  },
});

const quick = opts.quick;
const levels = (quick ? "20" : (opts.conns ?? ""))
  .split(",")
  .map((s) => intOption("conns", s, 1));
const rounds = quick ? 1 : intOption("rounds", opts.rounds, 1);
const warmup = quick ? 0.3 : numberOption("warmup", opts.warmup, 0);
const measure = quick ? 0.5 : numberOption("measure", opts.measure, 0.1);
const driverCount =
  opts.drivers === undefined
    ? Math.max(1, os.cpus().length - 1)
    : intOption("drivers", opts.drivers, 1, 16);
const spawnTasks = quick ? 10_000 : intOption("tasks", opts.tasks, 1);
const only = new Set((opts.only ?? "").split(","));
for (const o of only)
  if (!["server", "spawn", "timing"].includes(o))
    fail(`Expected \`--only\` to list server, spawn, timing; got \`${o}\``, 2);
const wanted = (opts.servers ?? "").split(",");
for (const s of wanted)
  if (!["baseline", "floor", "lib", "gevent"].includes(s))
    fail(
      `Expected \`--servers\` to list baseline, floor, lib, gevent; got \`${s}\``,
      2,
    );

// A failure (a server that does not start, a driver that stops
// answering) ends the run with one line, not a stack trace.
process.setUncaughtExceptionCaptureCallback((error) =>
  fail(error instanceof Error ? error.message : String(error)),
);

const root = path.resolve(import.meta.dirname, "..");
const PY = "/usr/bin/python3";
const NODE = process.execPath;
$.cwd = root;
$.quiet = true;

// V8 grows a process's young generation in steps, each once enough
// objects have outlived a collection; under steady load every Node server
// ends at the same largest size. The lib's server gets there sooner than
// the floor (Node 24, 5,000 connections: in about 3 s against 9), so a
// 7 s trial would catch one grown and the other not yet, and compare
// V8's timing instead of the servers. So the Node servers start with
// semi-spaces (the young generation's halves) of their largest size: V8
// lowers a --min-semi-space-size above that size to it.
const YOUNG = "--min-semi-space-size=1024";
const youngProbe = await $({
  nothrow: true,
})`${NODE} ${YOUNG} -e ${"console.log(require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size)"}`;
const semiMiB =
  youngProbe.exitCode === 0 ? Number(youngProbe.stdout) / 2 ** 20 : NaN;
const nodeFlags = Number.isFinite(semiMiB) ? [YOUNG] : [];

const color = process.env.FORCE_COLOR
  ? process.env.FORCE_COLOR !== "0"
  : !process.env.NO_COLOR && process.stdout.isTTY;
const paint = (code: string) => (s: string) =>
  color ? `\x1b[${code}m${s}\x1b[0m` : s;
const bold = paint("1");
const dim = paint("2");
const green = paint("32");
const red = paint("31");
const status = (line: string) => process.stderr.write(`${dim(line)}\n`);

// ---------------------------------------------------------------- machine
const hasTaskset =
  (await $({ nothrow: true })`taskset -c 0 true`).exitCode === 0;
const cpus = os.cpus().length;
// Server on CPU 0, the load on the others (CPU 1 on this 2-core machine).
const serverCpus = hasTaskset && cpus >= 2 ? "0" : undefined;
const driverCpus =
  hasTaskset && cpus >= 2 ? (cpus === 2 ? "1" : `1-${cpus - 1}`) : undefined;
const driverCores = driverCpus ? cpus - 1 : cpus;
const clkTck =
  Number((await $({ nothrow: true })`getconf CLK_TCK`).stdout.trim()) || 100;
const geventOk =
  (await $({ nothrow: true })`${PY} -c ${"import gevent"}`).exitCode === 0;
const servers = wanted.filter((s) => s !== "gevent" || geventOk);
const libServer = opts["lib-server"] ?? "examples/06-server.ts";
if (
  only.has("server") &&
  servers.includes("lib") &&
  !fs.existsSync(path.join(root, libServer))
) {
  fail(
    `${libServer} not found: measure another file with --lib-server, or leave it out with --servers baseline,gevent`,
    2,
  );
}
if (wanted.includes("gevent") && !geventOk)
  status(
    `gevent skipped: ${PY} cannot import gevent (apt-get install -y python3-gevent)`,
  );
const machine = {
  cpu: os.cpus()[0]?.model ?? "?",
  cpus,
  memGB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  os: `${os.type()} ${os.release()}`,
  taskset: hasTaskset,
  loadBefore: os.loadavg(),
  /** The semi-space size the Node servers start with; null: V8's default. */
  semiMiB: Number.isFinite(semiMiB) ? semiMiB : null,
};

// ---------------------------------------------------------------- /proc
/** CPU seconds (user + sys, all threads) a process has used so far. */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / clkTck;
  } catch {
    return NaN;
  }
}

/** CPU seconds the whole machine has been busy (all CPUs, /proc/stat). */
function machineBusySeconds(): number {
  const f: number[] = fs
    .readFileSync("/proc/stat", "utf8")
    .split("\n")[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
  return (
    (f.slice(0, 8).reduce((a: number, b: number) => a + b, 0) - f[3]! - f[4]!) /
    clkTck
  );
}

/** Peak resident memory (VmHWM) of a process, in bytes. */
function peakBytes(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(
      fs.readFileSync(`/proc/${pid}/status`, "utf8"),
    );
    return m ? Number(m[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------- processes
interface Proc {
  child: ChildProcess;
  pid: number;
  next(
    match: (line: string) => boolean,
    what: string,
    ms: number,
  ): Promise<string>;
  send(line: string): void;
  exited: Promise<number | null>;
}

// Every process this one started, children of children included (Linux).
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const dir of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(dir)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${dir}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(dir)]);
    } catch {
      // gone already
    }
  }
  const all: number[] = [];
  const walk = (p: number) =>
    children.get(p)?.forEach((c) => (all.push(c), walk(c)));
  walk(pid);
  return all;
}

// Stopped (Ctrl-C, SIGTERM, a closed terminal): the servers, load
// drivers and task benches it started stop too; no process is left.
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
  ["SIGHUP", 129],
] as const)
  process.on(signal, () => {
    for (const pid of descendants(process.pid))
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    console.error(`bench: stopped by ${signal}; nothing it started runs on`);
    process.exit(code);
  });

/** Starts a command (pinned to `cpus` when given) and reads its stdout by lines. */
function start(cmd: string[], cpus: string | undefined): Proc {
  const full = cpus ? ["taskset", "-c", cpus, ...cmd] : cmd;
  // `exec`: the shell becomes the process, so its pid is the one to watch.
  const p = $({ nothrow: true })`exec ${full}`;
  const child = p.child!;
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let stderr = "";
  child.stderr!.on(
    "data",
    (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)),
  );
  createInterface({ input: child.stdout! })
    .on("line", (l) => {
      lines.push(l);
      wake?.();
    })
    .on("close", () => {
      ended = true;
      wake?.();
    });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  return {
    child,
    pid: child.pid!,
    exited,
    send: (line) => child.stdin!.write(`${line}\n`),
    async next(match, what, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = lines.findIndex(match);
        if (i >= 0) return lines.splice(0, i + 1).pop()!;
        if (ended || Date.now() > deadline) {
          throw new Error(
            `${what}: ${ended ? "the process ended" : `no answer in ${ms / 1000} s`}${stderr ? `; stderr: ${stderr.trim().split("\n").pop()}` : ""}`,
          );
        }
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
      }
    },
  };
}

const LABEL: Record<string, string> = {
  baseline: "bare node:net",
  floor: "floor: bare await",
  lib: `${path.basename(libServer, ".ts")} (lib)`,
  gevent: "gevent",
};

// Every server is started with `--port 0` only (the lib server takes
// --host and --port, nothing else is needed) and prints `listening on HOST:PORT`.
async function startServer(
  name: string,
): Promise<{ proc: Proc; port: number }> {
  const file = {
    lib: libServer,
    floor: "scripts/bench-floor.ts",
    baseline: "scripts/bench-baseline.ts",
    gevent: "scripts/gevent-echo-server.py",
  }[name]!;
  const proc = start(
    name === "gevent"
      ? [PY, file, "--port", "0"]
      : [NODE, ...nodeFlags, "--import", "tsx", file, "--port", "0"],
    serverCpus,
  );
  const line = await proc.next(
    (l) => /listening on \S+:\d+/.test(l),
    `${file} ready line`,
    20_000,
  );
  return { proc, port: Number(/:(\d+)\s*$/.exec(line)![1]) };
}

async function stopServer(proc: Proc): Promise<{
  exitCode: number | null;
  exitSignal: string | null;
  exitMs: number;
}> {
  const t0 = performance.now();
  proc.child.kill("SIGTERM");
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), 10_000);
  const exitCode = await proc.exited;
  clearTimeout(timer);
  return {
    exitCode,
    exitSignal: proc.child.signalCode,
    exitMs: performance.now() - t0,
  };
}

// ---------------------------------------------------------------- one trial
interface Trial {
  server: string;
  conns: number;
  round: number;
  replies: number;
  seconds: number;
  repliesPerSec: number;
  p50ms: number;
  p99ms: number;
  serverCpuSec: number;
  cpuUsPerReply: number;
  serverCpuPct: number;
  driverCpuPct: number;
  /** CPU used by other processes during the measured stretch, in % of one CPU. */
  otherCpuPct: number;
  serverBusy: boolean;
  peakBytes: number;
  wrong: number;
  errors: number;
  errorKinds: Record<string, number>;
  failedConnects: number;
  exitCode: number | null;
  /** The signal that ended the server, if it did not exit by itself on SIGTERM. */
  exitSignal: string | null;
  exitMs: number;
}

function percentile(hist: [number, number][], q: number): number {
  const total = hist.reduce((a, [, n]) => a + n, 0);
  let seen = 0;
  for (const [us, n] of hist.sort((a, b) => a[0] - b[0])) {
    seen += n;
    if (seen >= q * total) return us / 1000;
  }
  return NaN;
}

async function trial(
  server: string,
  conns: number,
  round: number,
): Promise<Trial> {
  const { proc, port } = await startServer(server);
  const drivers: Proc[] = [];
  try {
    const n = Math.min(driverCount, conns);
    for (let d = 0, first = 1; d < n; d++) {
      const share = Math.floor(conns / n) + (d < conns % n ? 1 : 0);
      const cmd = [
        NODE,
        "--import",
        "tsx",
        "scripts/bench-load.ts",
        "--port",
        String(port),
        "--conns",
        String(share),
        "--first",
        String(first),
      ];
      drivers.push(start(cmd, driverCpus));
      first += share;
    }
    const connected = await Promise.all(
      drivers.map((d) =>
        d.next(
          (l) => l.includes('"connected"'),
          "load driver connect",
          120_000,
        ),
      ),
    );
    const failedConnects = connected.reduce(
      (a, l) => a + JSON.parse(l).failed,
      0,
    );
    for (const d of drivers) d.send("go");
    await new Promise((r) => setTimeout(r, warmup * 1000));
    const cpu0 = cpuSeconds(proc.pid);
    const dcpu0 = drivers.reduce((a, d) => a + cpuSeconds(d.pid), 0);
    const busy0 = machineBusySeconds();
    const t0 = performance.now();
    for (const d of drivers) d.send("mark");
    await new Promise((r) => setTimeout(r, measure * 1000));
    // Peak memory under load, read before the clients hang up (tearing
    // down thousands of connections makes garbage of its own).
    const peak = peakBytes(proc.pid);
    for (const d of drivers) d.send("stop");
    const cpu1 = cpuSeconds(proc.pid);
    const dcpu1 = drivers.reduce((a, d) => a + cpuSeconds(d.pid), 0);
    const busy1 = machineBusySeconds();
    const wall = (performance.now() - t0) / 1000;
    const results = (
      await Promise.all(
        drivers.map((d) =>
          d.next((l) => l.includes('"result"'), "load driver result", 30_000),
        ),
      )
    ).map((l) => JSON.parse(l));
    const replies = results.reduce((a, r) => a + r.replies, 0);
    const seconds = Math.max(...results.map((r) => r.ms)) / 1000;
    const hist = results.flatMap((r) => r.hist as [number, number][]);
    const errorKinds: Record<string, number> = {};
    for (const r of results)
      for (const [k, v] of Object.entries(
        r.errorKinds as Record<string, number>,
      ))
        errorKinds[k] = (errorKinds[k] ?? 0) + v;
    const serverCpuSec = cpu1 - cpu0;
    const serverCpuPct = (100 * serverCpuSec) / wall;
    const driverCpuPct = (100 * (dcpu1 - dcpu0)) / wall / driverCores;
    const otherCpuPct = Math.max(
      0,
      (100 * (busy1 - busy0 - serverCpuSec - (dcpu1 - dcpu0))) / wall,
    );
    const stopped = await stopServer(proc);
    return {
      server,
      conns,
      round,
      replies,
      seconds,
      repliesPerSec: replies / seconds,
      p50ms: percentile(hist, 0.5),
      p99ms: percentile(hist, 0.99),
      serverCpuSec,
      cpuUsPerReply: (serverCpuSec * 1e6) / replies,
      serverCpuPct,
      driverCpuPct,
      otherCpuPct,
      // The server is "the busy side" when it uses more of its CPU than
      // the drivers use of theirs; otherwise the load may be the limit.
      serverBusy: serverCpuPct >= driverCpuPct,
      peakBytes: peak,
      wrong: results.reduce((a, r) => a + r.wrong, 0),
      errors: results.reduce((a, r) => a + r.errors, 0),
      errorKinds,
      failedConnects,
      ...stopped,
    };
  } finally {
    for (const d of drivers) d.child.kill("SIGKILL");
    if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
  }
}

// ---------------------------------------------------------------- helpers
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (x: number, digits = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString("en-US", {
        maximumFractionDigits: digits,
        minimumFractionDigits: digits,
      })
    : "-";
const ratio = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : "-");
// A ratio as shown (two decimals), so that "1.10x" is judged as 1.10.
const shown = (x: number) => Number(x.toFixed(2));
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) =>
    Math.max(...rows.map((r) => r[i]!.replace(/\x1b\[\d+m/g, "").length)),
  );
  return rows
    .map((r) =>
      r
        .map((c, i) =>
          i === 0
            ? c.padEnd(widths[i]!)
            : c.padStart(
                widths[i]! + c.length - c.replace(/\x1b\[\d+m/g, "").length,
              ),
        )
        .join("  "),
    )
    .join("\n");
}
// A bar of a ratio; with a target (the lib's rows), coloured by it.
function bar(
  label: string,
  x: number,
  target: number | undefined,
  better: "low" | "high",
): string {
  const width = 40; // 40 cells = 2.0x
  const cells = Math.max(0, Math.min(width, Math.round((x / 2) * width)));
  const line = "█".repeat(cells) + " ".repeat(width - cells);
  const marked = line.slice(0, width / 2) + "|" + line.slice(width / 2);
  if (target === undefined)
    return `  ${label.padEnd(22)} ${marked} ${ratio(x)}`;
  const ok = better === "low" ? shown(x) <= target : shown(x) >= target;
  return `  ${label.padEnd(22)} ${(ok ? green : red)(marked)} ${ratio(x)} ${dim(`(target ${better === "low" ? "<=" : ">="} ${target}x)`)}`;
}
/**
 * One target, judged on the ratio as shown: `met`, or by how much it
 * misses (in % of the target), so that a reader sees how far off it is.
 */
function judge(
  what: string,
  x: number,
  target: number,
  better: "low" | "high",
): string {
  const goal = `target ${better === "low" ? "<=" : ">="} ${target.toFixed(2)}x`;
  if (!Number.isFinite(x)) return `${what}: not measured (${goal})`;
  const v = shown(x);
  const ok = better === "low" ? v <= target : v >= target;
  const miss = Math.max(
    1,
    Math.round(100 * (better === "low" ? v / target - 1 : 1 - v / target)),
  );
  return `${what}: ${ratio(x)} (${goal}): ${ok ? green("met") : red(`missed by ${miss}%`)}`;
}

const results: Record<string, unknown> = {
  machine,
  config: {
    quick,
    levels,
    rounds,
    warmup,
    measure,
    drivers: driverCount,
    servers,
    spawnTasks,
    serverCpus,
    driverCpus,
  },
};
const verdicts: string[] = [];
const notes: string[] = [];

// ---------------------------------------------------------------- servers
if (only.has("server")) {
  const trials: Trial[] = [];
  status(
    `servers: ${servers.join(", ")}; ${levels.join(" and ")} connections; ${rounds} round(s) of ${warmup} s warm-up + ${measure} s measured` +
      (serverCpus
        ? `; server on CPU ${serverCpus}, load on CPU ${driverCpus}`
        : "; no CPU pinning") +
      (nodeFlags.length
        ? `; Node servers start with ${semiMiB} MiB semi-spaces (their largest)`
        : "; Node servers start with V8's default young generation"),
  );
  for (let round = 1; round <= rounds; round++) {
    for (const conns of levels) {
      // Rotate the order each round, so no server always goes first.
      const order = servers.map(
        (_, i) => servers[(i + round - 1) % servers.length]!,
      );
      for (const server of order) {
        const t = await trial(server, conns, round);
        trials.push(t);
        status(
          `round ${round}/${rounds} · ${fmt(conns)} conns · ${LABEL[server]}: ${fmt(t.repliesPerSec)} replies/s, ${fmt(t.cpuUsPerReply, 2)} µs CPU/reply, server ${fmt(t.serverCpuPct)}% / load ${fmt(t.driverCpuPct)}% / other processes ${fmt(t.otherCpuPct)}% CPU${t.serverBusy ? "" : " (load-bound)"}, errors ${t.errors + t.wrong}`,
        );
      }
    }
  }
  results.trials = trials;
  const summary: Record<string, Record<string, number>>[] = [];
  const rows = [
    [
      "server",
      "conns",
      "replies/s",
      "ratio",
      "p50 ms",
      "p99 ms",
      "CPU µs/reply",
      "ratio",
      "peak MB",
      "ratio",
      "CPU srv/load/other",
      "errors",
    ],
  ];
  const charts: string[] = [];
  for (const conns of levels) {
    const of = (s: string) =>
      trials.filter((t) => t.server === s && t.conns === conns);
    const agg = (s: string) => {
      const ts = of(s);
      return {
        rps: median(ts.map((t) => t.repliesPerSec)),
        p50: median(ts.map((t) => t.p50ms)),
        p99: median(ts.map((t) => t.p99ms)),
        cpu: median(ts.map((t) => t.cpuUsPerReply)),
        peak: Math.max(...ts.map((t) => t.peakBytes)),
        srv: median(ts.map((t) => t.serverCpuPct)),
        load: median(ts.map((t) => t.driverCpuPct)),
        other: median(ts.map((t) => t.otherCpuPct)),
        bad: ts.reduce((a, t) => a + t.errors + t.wrong + t.failedConnects, 0),
        loadBound: ts.filter((t) => !t.serverBusy).length,
        n: ts.length,
      };
    };
    const base = servers.includes("baseline") ? agg("baseline") : undefined;
    // Ratios are taken round by round (the same minutes of the same
    // machine), then the median: a load that comes and goes between
    // rounds moves both servers of a round alike.
    const paired = (
      s: string,
      k: "repliesPerSec" | "cpuUsPerReply",
      over: string,
    ) =>
      servers.includes(over)
        ? median(
            of(s).map(
              (t) =>
                t[k] / (of(over).find((b) => b.round === t.round)?.[k] ?? NaN),
            ),
          )
        : NaN;
    for (const s of servers) {
      const a = agg(s);
      const r = base
        ? {
            rps: paired(s, "repliesPerSec", "baseline"),
            cpu: paired(s, "cpuUsPerReply", "baseline"),
            peak: a.peak / base.peak,
          }
        : { rps: NaN, cpu: NaN, peak: NaN };
      const lib = s === "lib"; // the targets are the lib's
      const overFloor = lib ? paired(s, "cpuUsPerReply", "floor") : NaN;
      // Memory over the floor's: what the lib adds to any server that
      // awaits each message (the floor itself peaks well above bare's).
      const floorPeak = servers.includes("floor") ? agg("floor").peak : NaN;
      const memOverFloor = lib ? a.peak / floorPeak : NaN;
      const overGevent = lib ? paired(s, "repliesPerSec", "gevent") : NaN;
      summary.push({
        [`${s}@${conns}`]: {
          ...a,
          rpsRatio: r.rps,
          cpuRatio: r.cpu,
          peakRatio: r.peak,
          ...(lib
            ? { cpuOverFloor: overFloor, rpsOverGevent: overGevent }
            : {}),
        },
      });
      const mark = a.loadBound ? ` ${red(`*${a.loadBound}/${a.n}`)}` : "";
      rows.push([
        LABEL[s]!,
        fmt(conns),
        fmt(a.rps),
        ratio(r.rps),
        fmt(a.p50, 2),
        fmt(a.p99, 2),
        fmt(a.cpu, 2),
        ratio(r.cpu),
        fmt(a.peak / 2 ** 20, 1),
        ratio(r.peak),
        `${fmt(a.srv)}/${fmt(a.load)}/${fmt(a.other)}%${mark}`,
        String(a.bad),
      ]);
      if (s !== "baseline" && base) {
        charts.push(
          `${LABEL[s]} at ${fmt(conns)} connections (ratio to bare node:net; | = 1.0x)`,
        );
        charts.push(bar("replies/s", r.rps, undefined, "high"));
        charts.push(bar("CPU per reply", r.cpu, undefined, "low"));
        charts.push(bar("peak memory", r.peak, undefined, "low"));
        if (lib && servers.includes("floor"))
          charts.push(bar("CPU/reply over floor", overFloor, 1.1, "low"));
        if (lib && servers.includes("floor") && conns >= 5000)
          charts.push(bar("memory over floor", memOverFloor, 1.3, "low"));
        if (lib && servers.includes("gevent"))
          charts.push(bar("replies/s over gevent", overGevent, 1, "high"));
      }
      if (!lib) continue;
      const at = `${fmt(conns)} conns`;
      // The lib against the floor (`await` per message, no lib): what the
      // lib itself adds; a server on any task library costs the floor at least.
      verdicts.push(
        servers.includes("floor")
          ? judge(
              `${at}: CPU per reply over the floor's`,
              overFloor,
              1.1,
              "low",
            )
          : `${at}: CPU per reply over the floor's: not judged (the floor was not measured)`,
      );
      verdicts.push(
        servers.includes("gevent")
          ? judge(`${at}: replies/s over gevent's`, overGevent, 1, "high")
          : `${at}: replies/s over gevent's: not judged (${geventOk ? "gevent was not measured" : `${PY} cannot import gevent: apt-get install -y python3-gevent`})`,
      );
      if (conns >= 5000)
        verdicts.push(
          servers.includes("floor")
            ? judge(
                `${at}: peak memory over the floor's`,
                memOverFloor,
                1.3,
                "low",
              )
            : `${at}: peak memory over the floor's: not judged (the floor was not measured)`,
        );
      if (conns >= 10_000)
        verdicts.push(
          `${at}: served with no error: ${a.bad} errors (${a.bad === 0 ? green("met") : red("missed")})`,
        );
    }
  }
  results.summary = summary;
  // Other programs on the machine take CPU from the server and the load
  // alike, but not evenly: say so when they were busy.
  const others = median(trials.map((t) => t.otherCpuPct));
  if (others >= 20)
    notes.push(
      `other processes used ${fmt(others)}% of a CPU (median) while measuring:\n  replies/s and latency are unreliable, CPU per reply less so; rerun when quieter`,
    );
  console.log(
    bold("\nEcho servers under the same load") +
      dim(
        ` (median of ${rounds} round(s); ratios: median of each round's ratio; * = runs where the load, not the server, was the busier side)`,
      ),
  );
  console.log(table(rows));
  if (charts.length) console.log(`\n${charts.join("\n")}`);
}

// ---------------------------------------------------------------- spawn cost
if (only.has("spawn")) {
  const sleepMs = quick ? 50 : 1000;
  const runs = quick ? 1 : 3;
  status(
    `spawn cost: ${fmt(spawnTasks)} tasks sleeping ${sleepMs} ms, lib vs bare Promise.all, ${runs} run(s) each, alternated`,
  );
  const spawnRuns: { mode: string; ms: number; bytesPerTask: number }[] = [];
  const heapRuns: { mode: string; heapPerTask: number }[] = [];
  for (let i = 0; i < runs; i++) {
    for (const mode of i % 2 ? ["bare", "lib"] : ["lib", "bare"]) {
      const out =
        await $`${NODE} --import tsx scripts/bench-spawn.ts --mode ${mode} --tasks ${spawnTasks} --sleep ${sleepMs}`;
      spawnRuns.push(JSON.parse(out.stdout));
      // A second process for the live heap: its forced GC would spoil the time.
      const heap =
        await $`${NODE} --expose-gc --import tsx scripts/bench-spawn.ts --heap --mode ${mode} --tasks ${spawnTasks} --sleep ${sleepMs}`;
      heapRuns.push(JSON.parse(heap.stdout));
    }
  }
  results.spawn = spawnRuns;
  results.spawnHeap = heapRuns;
  const m = (mode: string, k: "ms" | "bytesPerTask") =>
    median(spawnRuns.filter((r) => r.mode === mode).map((r) => r[k]));
  const h = (mode: string) =>
    median(heapRuns.filter((r) => r.mode === mode).map((r) => r.heapPerTask));
  const time = m("lib", "ms") / m("bare", "ms");
  const mem = m("lib", "bytesPerTask") / m("bare", "bytesPerTask");
  const live = h("lib") / h("bare");
  const extra = (m("lib", "ms") - sleepMs) / (m("bare", "ms") - sleepMs);
  console.log(
    bold(
      `\nSpawning ${fmt(spawnTasks)} tasks that each sleep ${sleepMs / 1000} s, joined`,
    ) + dim(` (median of ${runs})`),
  );
  console.log(
    table([
      [
        "version",
        "total ms",
        "beyond the sleep",
        "live heap B/task",
        "peak RSS B/task",
      ],
      [
        "lib: spawn(sleep) + joinAll",
        fmt(m("lib", "ms")),
        fmt(m("lib", "ms") - sleepMs),
        fmt(h("lib")),
        fmt(m("lib", "bytesPerTask")),
      ],
      [
        "bare: Promise.all(setTimeout)",
        fmt(m("bare", "ms")),
        fmt(m("bare", "ms") - sleepMs),
        fmt(h("bare")),
        fmt(m("bare", "bytesPerTask")),
      ],
      ["ratio", ratio(time), ratio(extra), ratio(live), ratio(mem)],
    ]),
  );
  console.log(
    `\n${bar("time", time, 2, "low")}\n${bar("peak memory (RSS)", mem, 2, "low")}\n${bar("live heap", live, undefined, "low")}`,
  );
  verdicts.push(
    judge(
      `${fmt(spawnTasks)} sleeping tasks: time over bare promises'`,
      time,
      2,
      "low",
    ),
  );
  verdicts.push(
    judge(
      `${fmt(spawnTasks)} sleeping tasks: peak memory over bare's`,
      mem,
      2,
      "low",
    ),
  );
}

// ---------------------------------------------------------------- timing demo
if (only.has("timing")) {
  const runs = quick ? 3 : 11;
  const scale = quick ? 0.02 : 1;
  status(
    `timing demo: eat ${3 * scale} s / play ${1 * scale} s, lib vs bare setTimeout, ${runs} runs each${geventOk ? "; and on gevent" : ""}`,
  );
  const out = JSON.parse(
    (
      await $`${NODE} --import tsx scripts/bench-timing.ts --runs ${runs} --scale ${scale}`
    ).stdout,
  );
  const gevent: number[] = geventOk
    ? JSON.parse(
        (
          await $`${PY} scripts/gevent-timing.py --runs ${Math.min(runs, 5)} --scale ${scale}`
        ).stdout,
      ).gevent
    : [];
  results.timing = { ...out, gevent };
  const longest = out.longestMs as number;
  const lib = median(out.lib);
  const bare = median(out.bare);
  const rows = [
    ["version", "total ms (median)", "above the longest sleep"],
    ["lib (spawn/sleep/join)", fmt(lib, 2), fmt(lib - longest, 2)],
    ["bare setTimeout", fmt(bare, 2), fmt(bare - longest, 2)],
  ];
  if (gevent.length)
    rows.push([
      "gevent (spawn/sleep/join)",
      fmt(median(gevent), 2),
      fmt(median(gevent) - longest, 2),
    ]);
  console.log(
    bold(
      `\nThe timing demo (eat ${longest / 1000} s, play ${longest / 3000} s)`,
    ) + dim(` (measured inside the process, ${runs} runs)`),
  );
  console.log(table(rows));
  const added = lib - bare;
  const addedShown = Number(added.toFixed(2));
  verdicts.push(
    `timing demo: ${fmt(Math.abs(added), 2)} ms ${added < 0 ? "under" : "over"} bare setTimeout (target <= 1 ms): ${addedShown <= 1 ? green("met") : red(`missed by ${fmt(addedShown - 1, 2)} ms`)}`,
  );
}

// ---------------------------------------------------------------- report
machine.loadBefore = machine.loadBefore.map((x) => Math.round(x * 100) / 100);
results.loadAfter = os.loadavg().map((x) => Math.round(x * 100) / 100);
if (verdicts.length)
  console.log(
    `${bold("\nTargets (the lib's)")}${quick ? dim(" (quick run: sizes too small to judge)") : ""}\n${verdicts.map((v) => `  - ${v}`).join("\n")}`,
  );
for (const n of notes) console.log(red(`\nnote: ${n}`));
const file =
  opts.json ??
  path.join(
    root,
    "bench-results",
    `bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`,
  );
fs.mkdirSync(path.dirname(file), { recursive: true });
fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  dim(
    `\nmachine: ${machine.cpu}, ${cpus} CPUs, ${machine.memGB} GB, Node ${machine.node}; load average before ${machine.loadBefore.join(" ")}, after ${(results.loadAfter as number[]).join(" ")}`,
  ),
);
console.log(dim(`raw results: ${path.relative(process.cwd(), file)}`));
