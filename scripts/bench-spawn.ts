// Spawn cost, for `npm run bench`: N tasks that each sleep, joined, in a
// fresh process; prints one JSON line (time, bytes per task).
// Usage: npx tsx scripts/bench-spawn.ts --mode lib|bare [--tasks N] [--sleep MS]
import { setTimeout as delay } from "node:timers/promises";
import { cli, fail, intOption } from "../lib/cli.ts";
import { joinAll, sleep, spawn } from "../lib/index.ts";

const opts = cli({
  usage: "npx tsx scripts/bench-spawn.ts --mode lib|bare [--tasks N] [--sleep MS]",
  about: "Spawns N tasks that each sleep, joins them, prints time and bytes per task as JSON.",
  options: {
    mode: { type: "string", default: "lib", help: "lib: spawn(sleep) + joinAll; bare: Promise.all over timers/promises setTimeout" },
    tasks: { type: "string", default: "1000000", help: "number of tasks" },
    sleep: { type: "string", default: "1000", help: "how long each task sleeps, in ms" },
  },
});
const mode = opts.mode;
if (mode !== "lib" && mode !== "bare") fail(`Expected \`--mode\` to be lib or bare, got \`${mode}\``, 2);
const n = intOption("tasks", opts.tasks, 1);
const ms = intOption("sleep", opts.sleep, 0);

const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
if (mode === "lib") {
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(spawn(sleep, ms));
  await joinAll(tasks);
} else {
  const waits = [];
  for (let i = 0; i < n; i++) waits.push(delay(ms));
  await Promise.all(waits);
}
const took = performance.now() - t0;
// Peak resident memory of the process, minus what it held before.
const peak = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ mode, tasks: n, sleepMs: ms, ms: took, bytesPerTask: (peak - rss0) / n }));
