/**
 * @title Three ways to get concurrency
 * @note 一、协程 2 (实现并发的三种手段: one thread, threads, processes)
 * @run npx tsx examples/04-three-ways.ts
 * @output examples/04-three-ways.out
 *
 * The same two jobs, done three ways: tasks on one thread
 * (coroutines), worker threads, and child processes. First many waits
 * at once (IO-bound), then a few slices of arithmetic (CPU-bound).
 * Look at the tables: coroutines win the waits by far and use almost
 * no memory, but gain nothing on arithmetic, where threads and
 * processes can share the work between both cores, when the cores are
 * free (not every coroutine improves efficiency).
 */
import os from "node:os";
import v8 from "node:v8";
import vm from "node:vm";
import { bar, fancy, paint, table, useColor } from "./support/chart.ts";
import { cli, intOption, svgOption } from "./support/cli.ts";
import { headingOf, saveSvg } from "./support/svg.ts";
import { threeWaysSvg } from "./support/svg-charts.ts";
import { runUnits, type Result } from "./support/units.ts";
import { joinAll, sleep, spawn } from "../lib/index.ts";

const WAIT_MS = 100;
const SLICE_MS = 250;
const color = useColor();
const us = fancy() ? "µs" : "us";
const loadBefore = os.loadavg()[0] ?? 0;

// A full garbage collection before each memory reading, so that the
// figure is what the live units hold (Node only; elsewhere a no-op).
let gc = () => {};
try {
  v8.setFlagsFromString("--expose-gc");
  gc = vm.runInNewContext("gc") as () => void;
} catch {}

type Way = "coroutines" | "threads" | "processes";

// ---- Units: one task here; threads and processes in ./support/units.ts

// Runs `n` tasks of `job` on this thread and measures them the same way.
async function runTasks(
  n: number,
  job: () => Promise<void> | void,
): Promise<Result> {
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  let lastStart = t0;
  const tasks = Array.from({ length: n }, () =>
    spawn(async () => {
      lastStart = performance.now();
      await job();
    }),
  );
  await sleep(0); // all tasks have started and are parked now
  gc();
  const memBytes = (process.memoryUsage().heapUsed - heap0) / n;
  await joinAll(tasks);
  return {
    wallMs: performance.now() - t0,
    startMs: (lastStart - t0) / n,
    memBytes,
  };
}

// The CPU job: arithmetic with no switch point. Its source text is
// also sent to the threads and processes, so all three run the same.
function burn(n: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) x = (x * 31 + i) % 1000003;
  return x;
}

// The command line (--help, --timeline and the options), after the code
// a reader came for.
const opts = cli({
  usage:
    "npx tsx examples/04-three-ways.ts [--waits N] [--slices N] [--chart=FILE.svg] [--timeline]",
  about:
    "Coroutines vs worker threads vs child processes, on waits and on arithmetic.",
  options: {
    waits: {
      type: "string",
      default: "50",
      help: "IO-bound: 100 ms waits at once",
    },
    slices: {
      type: "string",
      default: "4",
      help: "CPU-bound: 250 ms slices of arithmetic",
    },
    chart: {
      type: "string",
      help: "also draw the results as a picture, e.g. --chart=04.svg",
    },
  },
});
const CHART =
  opts.chart === undefined ? undefined : svgOption("chart", opts.chart);
const WAITS = intOption("waits", opts.waits, 1, 500);
const SLICES = intOption("slices", opts.slices, 1, 16);

// How many steps make one slice on this machine: time 50 ms worth a
// few times (the first runs are not optimised yet), then scale up.
let steps = 1e6;
for (let i = 0; i < 4; i++) {
  const t0 = performance.now();
  burn(steps);
  steps = Math.round((steps * 50) / Math.max(1, performance.now() - t0));
}
const STEPS = Math.round((steps * SLICE_MS) / 50);

async function measure(way: Way, io: boolean): Promise<Result | string> {
  if (way === "coroutines")
    return io
      ? runTasks(WAITS, () => sleep(WAIT_MS))
      : runTasks(SLICES, () => void burn(STEPS));
  const job = io
    ? `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${WAIT_MS})`
    : `burn(${STEPS})`;
  try {
    return await runUnits(way, io ? WAITS : SLICES, job, [burn]);
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const ways: Way[] = ["coroutines", "threads", "processes"];
const sec = (msValue: number) => `${(msValue / 1000).toFixed(2)} s`;

// ---- IO-bound: many waits at once -------------------------------------
console.log(
  `IO-bound: ${WAITS} waits of ${WAIT_MS} ms at once, one unit per wait`,
);
const io: Partial<Record<Way, Result>> = {};
const ioRows = [["way", " wall", " start-up/unit", " memory/unit"]];
for (const way of ways) {
  const r = await measure(way, true);
  if (typeof r === "string") {
    ioRows.push([way, r, "", ""]);
    continue;
  }
  io[way] = r;
  const start =
    way === "coroutines"
      ? `${(r.startMs * 1000).toFixed(1)} ${us}`
      : `${r.startMs.toFixed(1)} ms`;
  const mem =
    way === "coroutines"
      ? `${(r.memBytes / 1e3).toFixed(1)} KB`
      : `${(r.memBytes / 1e6).toFixed(1)} MB`;
  ioRows.push([way, sec(r.wallMs), start, mem]);
}
console.log(table(ioRows));
chart(io);
const total = (way: Way, unit: number, digits: number, name: string) => {
  const r = io[way];
  return r
    ? `${way} ${((r.memBytes * 500) / unit).toFixed(digits)} ${name}`
    : `${way} n/a`;
};
console.log("  for the note's 500 connections, that is:");
console.log(
  `    ${total("coroutines", 1e6, 1, "MB")}, ${total("threads", 1e9, 1, "GB")}, ${total("processes", 1e9, 1, "GB")}`,
);

// ---- CPU-bound: a few slices of arithmetic -----------------------------
console.log(
  `CPU-bound: ${SLICES} slices of about ${SLICE_MS} ms of arithmetic`,
);
const cpu: Partial<Record<Way, Result>> = {};
const cpuRows = [["way", " wall", " speed-up"]];
for (const way of ways) {
  const r = await measure(way, false);
  if (typeof r === "string") {
    cpuRows.push([way, r, ""]);
    continue;
  }
  cpu[way] = r;
  const base = cpu.coroutines?.wallMs ?? r.wallMs;
  cpuRows.push([way, sec(r.wallMs), `${(base / r.wallMs).toFixed(1)}x`]);
}
console.log(table(cpuRows));
chart(cpu);
// Threads and processes can only go faster on idle cores: say how
// many there are and how busy the machine already was.
console.log(
  `  this machine: ${os.availableParallelism()} cores, load average ${loadBefore.toFixed(1)} before we started`,
);
console.log(
  "Coroutines win when the work is waiting; on arithmetic they run on one core.",
);
if (CHART)
  saveSvg(
    CHART,
    threeWaysSvg({
      heading: headingOf(),
      io,
      cpu,
      waits: WAITS,
      waitMs: WAIT_MS,
      slices: SLICES,
      sliceMs: SLICE_MS,
      machine: `This machine: ${os.availableParallelism()} cores, load average ${loadBefore.toFixed(1)} before the run`,
    }),
    "chart",
  );

// A bar of wall time per way, to scale with the slowest.
function chart(results: Partial<Record<Way, Result>>) {
  const max = Math.max(...Object.values(results).map((r) => r.wallMs));
  console.log("  wall time, to scale:");
  for (const way of ways) {
    const r = results[way];
    if (!r) continue;
    const b = paint(
      bar(r.wallMs, max, 40),
      way === "coroutines" ? "green" : "yellow",
      color,
    );
    console.log(`  ${way.padEnd(10)}  ${b}`);
  }
}
