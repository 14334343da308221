/**
 * @title What one switch costs: in the program vs in the OS
 * @note 一、协程 1 (优点: a switch made by the program itself costs far less than one made by the OS)
 * @run npx tsx examples/05-switch-cost.ts
 * @output examples/05-switch-cost.out
 *
 * Two parties hand control back and forth as fast as they can, five
 * ways: generator steps, awaits, the lib's `sleep(0)`, two OS threads
 * and two OS processes. Look at the nanoseconds per switch on the log
 * scale: inside the program (green) a generator step costs tens of
 * nanoseconds and an await a few times that; a switch through the OS
 * (red) costs microseconds, tens to hundreds of times an await. The
 * ratios are printed at the end.
 */
import { spawn as spawnProcess } from "node:child_process";
import { Worker } from "node:worker_threads";
import { bar, fancy, int, paint, table, useColor } from "./support/chart.ts";
import { cli, intOption, svgOption } from "./support/cli.ts";
import { headingOf, saveSvg } from "./support/svg.ts";
import { switchCostSvg } from "./support/svg-charts.ts";
import { sleep, spawn } from "../lib/index.ts";

const color = useColor();

// Each measure returns [switches, elapsed ms]. One switch = control
// passes from one party to the other once.

// 1. Two generators stepped in turn: a switch is one next().
function generators(): [number, number] {
  function* party() {
    for (;;) yield;
  }
  const a = party();
  const b = party();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < MS) {
    for (let i = 0; i < 10_000; i++) {
      a.next();
      b.next();
    }
    n += 20_000;
  }
  return [n, performance.now() - t0];
}

// 2. Two async functions pass a token through promises: each awaits
// its turn and then wakes the other (all in the microtask queue).
async function awaits(): Promise<[number, number]> {
  const wake: (() => void)[] = [];
  const turn = (me: number) =>
    new Promise<void>((resolve) => (wake[me] = resolve));
  let n = 0;
  let stop = false;
  const t0 = performance.now();
  const party = async (me: number) => {
    while (!stop) {
      await turn(me);
      if (++n % 10_000 === 0 && performance.now() - t0 >= MS) stop = true;
      wake[1 - me]?.();
    }
  };
  const both = Promise.all([party(0), party(1)]);
  wake[0]?.();
  await both;
  return [n, performance.now() - t0];
}

// 3. Two lib tasks that `await sleep(0)`: each switch goes through the
// event loop (setImmediate), as every real IO switch does.
async function sleepZero(): Promise<[number, number]> {
  let n = 0;
  let stop = false;
  const party = async () => {
    while (!stop) {
      await sleep(0);
      n++;
    }
  };
  const t0 = performance.now();
  spawn(party);
  spawn(party);
  await sleep(MS);
  stop = true;
  return [n, performance.now() - t0];
}

// 4. Two worker threads: each sleeps in the OS (Atomics.wait) until it
// is its turn, then hands the turn over (Atomics.notify). Plain JS.
const THREAD = `
const { workerData, parentPort } = require("node:worker_threads");
const { sab, me, ms } = workerData;
const s = new Int32Array(sab); // [turn, stop, switches]
let t0 = 0, n0 = 0;
for (;;) {
  while (Atomics.load(s, 0) !== me) Atomics.wait(s, 0, 1 - me);
  const stop = Atomics.load(s, 1) === 1;
  const n = Atomics.add(s, 2, 1);
  if (me === 0 && n === 1000) { t0 = performance.now(); n0 = n; }
  if (me === 0 && t0 > 0 && performance.now() - t0 >= ms) Atomics.store(s, 1, 1);
  Atomics.store(s, 0, 1 - me);
  Atomics.notify(s, 0);
  if (stop) break;
}
if (me === 0) parentPort.postMessage([Atomics.load(s, 2) - n0, performance.now() - t0]);
`;
function threads(): Promise<[number, number]> {
  const sab = new SharedArrayBuffer(12);
  return new Promise((resolve, reject) => {
    for (const me of [0, 1]) {
      const w = new Worker(THREAD, {
        eval: true,
        execArgv: [],
        workerData: { sab, me, ms: MS },
      });
      w.on("error", reject);
      if (me === 0) w.once("message", resolve);
    }
  });
}

// 5. Two processes: we write one byte into a pipe, a child echoes it
// back (blocking reads), and so on. A round trip is two switches.
const ECHO = `
const fs = require("node:fs");
const b = Buffer.alloc(64);
for (;;) {
  let n = 0;
  try { n = fs.readSync(0, b); } catch (e) { if (e.code === "EAGAIN") continue; throw e; }
  if (n === 0) break;
  fs.writeSync(1, b, 0, n);
}
`;
function processes(): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const child = spawnProcess(process.execPath, ["-e", ECHO], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    child.on("error", reject);
    let trips = 0;
    let t0 = 0;
    child.stdout.on("data", () => {
      if (++trips === 100) t0 = performance.now(); // warmed up
      if (t0 > 0 && performance.now() - t0 >= MS) {
        child.stdin.end();
        resolve([2 * (trips - 100), performance.now() - t0]);
      } else child.stdin.write("x");
    });
    child.stdin.write("x");
  });
}

// The command line (--help, --timeline and the options), after the code
// a reader came for.
const opts = cli({
  usage:
    "npx tsx examples/05-switch-cost.ts [--ms N] [--chart=FILE.svg] [--timeline]",
  about:
    "Nanoseconds per switch: generators, await, sleep(0), OS threads, OS processes.",
  options: {
    ms: {
      type: "string",
      default: "150",
      help: "ms per measurement, best of 3 kept",
    },
    chart: {
      type: "string",
      help: "also draw the results as a picture, e.g. --chart=05.svg",
    },
  },
});
const MS = intOption("ms", opts.ms, 10, 5000);
const CHART =
  opts.chart === undefined ? undefined : svgOption("chart", opts.chart);

// Best of three runs: the least disturbed by whatever else the
// machine is doing.
async function best(
  run: () => [number, number] | Promise<[number, number]>,
): Promise<number | string> {
  let nsPer = Infinity;
  try {
    for (let i = 0; i < 3; i++) {
      const [n, ms] = await run();
      nsPer = Math.min(nsPer, (ms * 1e6) / Math.max(1, n));
    }
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  return nsPer;
}

const rows: [string, number | string][] = [
  ["generator next()", await best(generators)],
  ["await: two async functions", await best(awaits)],
  ["lib sleep(0): event loop", await best(sleepZero)],
  ["two threads: Atomics.wait", await best(threads)],
  ["two processes: a pipe", await best(processes)],
];

// Bars on a log scale from 1 ns to 1 ms, sized to fit the terminal
// (80 columns when not on one): up to 8 columns per factor of ten.
const DECADES = [
  "1 ns",
  "10 ns",
  "100 ns",
  fancy() ? "1 µs" : "1 us",
  fancy() ? "10 µs" : "10 us",
  fancy() ? "100 µs" : "100 us",
  "1 ms",
];
const screen = (process.stdout.isTTY && process.stdout.columns) || 80;
const labelW = Math.max(...rows.map(([name]) => name.length));
const chartAt = 2 + labelW + 2 + " ns/switch".length + 2;
const PER = Math.max(
  4,
  Math.min(
    8,
    Math.floor((screen - 1 - chartAt - "|1 ms".length) / (DECADES.length - 1)),
  ),
);
const COLS = PER * (DECADES.length - 1);
const out = [["switch", " ns/switch", "log scale"]];
rows.forEach(([name, ns], i) => {
  if (typeof ns === "string") out.push([name, "", ns]);
  else
    out.push([
      name,
      int(ns),
      paint(
        bar(ns, 1e6, COLS, { log: true, min: 1 }),
        i < 3 ? "green" : "red",
        color,
      ),
    ]);
});
const text = table(out).split("\n");
console.log(text.join("\n"));
const axisAt = (text[0] ?? "").indexOf("log scale");
// A label at every factor of ten when there is room, else at every other one.
const every = PER >= 8 ? 1 : 2;
let axis = "";
DECADES.forEach((d, i) => {
  if (i % every === 0) axis = axis.padEnd(i * PER) + `|${d}`;
});
console.log(" ".repeat(axisAt) + axis);

// The ratios: what an OS switch costs, counted in in-program switches.
const ns = (i: number) => rows[i]?.[1];
const ratio = (os: number, prog: number) => {
  const a = ns(os);
  const b = ns(prog);
  return typeof a === "number" && typeof b === "number"
    ? `${int(a / b)}x`
    : "n/a";
};
const ratios = [
  `a thread switch costs  ${ratio(3, 1)} an await, ${ratio(3, 0)} a generator step`,
  `a process switch costs ${ratio(4, 1)} an await, ${ratio(4, 0)} a generator step`,
];
console.log("");
for (const line of ratios) console.log(`  ${line}`);
if (CHART)
  saveSvg(
    CHART,
    switchCostSvg({
      heading: headingOf(),
      rows,
      inProgram: 3,
      notes: ratios.map((r) => r.replace(/ {2,}/, " ")),
    }),
    "chart",
  );
