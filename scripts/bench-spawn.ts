// Spawn cost, for `npm run bench`: N tasks that each sleep, joined, in a
// fresh process; prints one JSON line (time, bytes per task).
// Usage: npx tsx scripts/bench-spawn.ts --mode lib|bare [--tasks N] [--sleep MS]
//        node --expose-gc --import tsx scripts/bench-spawn.ts --heap ...  (live heap per task)
import { setTimeout as delay } from "node:timers/promises";
import { cli, fail, intOption } from "../examples/support/cli.ts";
import { joinAll, sleep, spawn } from "../lib/index.ts";

const opts = cli({
  usage:
    "npx tsx scripts/bench-spawn.ts --mode lib|bare [--tasks N] [--sleep MS]",
  about:
    "Spawns N tasks that each sleep, joins them, prints time and bytes per task as JSON.",
  options: {
    mode: {
      type: "string",
      default: "lib",
      help: "lib: spawn(sleep) + joinAll; bare: Promise.all over timers/promises setTimeout",
    },
    tasks: { type: "string", default: "1000000", help: "number of tasks" },
    sleep: {
      type: "string",
      default: "1000",
      help: "how long each task sleeps, in ms",
    },
    heap: {
      type: "boolean",
      default: false,
      help: "also measure the live heap per task while all sleep (needs node --expose-gc; the GC makes the time meaningless)",
    },
  },
});
const mode = opts.mode;
if (mode !== "lib" && mode !== "bare")
  fail(`Expected \`--mode\` to be lib or bare, got \`${mode}\``, 2);
const n = intOption("tasks", opts.tasks, 1);
const ms = intOption("sleep", opts.sleep, 0);

const gc = (globalThis as { gc?: () => void }).gc;
if (opts.heap && !gc)
  fail(
    "--heap needs node's --expose-gc: node --expose-gc --import tsx scripts/bench-spawn.ts --heap",
    2,
  );
gc?.();
const heap0 = process.memoryUsage().heapUsed;
const rss0 = process.memoryUsage().rss;
let heapPerTask: number | undefined;
// While every task sleeps: collect the garbage, then count what is live.
const measureHeap = async () => {
  await new Promise((resolve) => setImmediate(resolve)); // the lib starts its tasks in the first one
  gc!();
  heapPerTask = (process.memoryUsage().heapUsed - heap0) / n;
};
const t0 = performance.now();
if (mode === "lib") {
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(spawn(sleep, ms));
  const done = joinAll(tasks);
  if (opts.heap) await measureHeap();
  await done;
} else {
  const waits = [];
  for (let i = 0; i < n; i++) waits.push(delay(ms));
  const done = Promise.all(waits);
  if (opts.heap) await measureHeap();
  await done;
}
const took = performance.now() - t0;
// Peak resident memory of the process, minus what it held before.
const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    mode,
    tasks: n,
    sleepMs: ms,
    ms: took,
    bytesPerTask: (peak - rss0) / n,
    heapPerTask,
  }),
);
