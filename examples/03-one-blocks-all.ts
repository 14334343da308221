/**
 * @title One blocking call freezes every task
 * @note 一、协程 1 (the drawback: one task blocks, the whole thread blocks)
 * @run npx tsx examples/03-one-blocks-all.ts
 * @output examples/03-one-blocks-all.out
 *
 * A heartbeat task beats every 100 ms while a "hog" task works. First
 * the hog makes a blocking call and then loops without a switch point:
 * the heartbeat stops for the whole time (the gap in its row). Then the
 * hog does the same work with `await`: the heartbeat keeps going.
 * The blocking detector is on: watch stderr name the hog while the
 * thread is frozen. Add --timeline to see the frozen stretch per task.
 */
import { paint, table, useColor } from "./support/chart.ts";
import { cli, intOption } from "./support/cli.ts";
import { joinAll, sleep, spawn } from "../lib/index.ts";
import { detectBlocking } from "./support/blocking.ts";

const BEAT_MS = 100;
const color = useColor();

// One call turns on the blocking detector (or XIECHENG_BLOCKING=1 for
// any program that uses the lib). It reports on stderr.
detectBlocking();

// A synchronous sleep: the thread itself waits (like time.sleep before
// gevent's monkey.patch_all). And a loop with no switch point in it.
function blockingSleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
function busyLoop(ms: number) {
  const end = performance.now() + ms;
  let n = 0;
  while (performance.now() < end) n++;
  return n;
}

async function blockingHog() {
  await sleep(300);
  blockingSleep(BLOCK_MS); // every task on the thread stops here...
  busyLoop(LOOP_MS); // ...and here
}

async function politeHog() {
  await sleep(300);
  await sleep(BLOCK_MS); // the same wait, as a switch point
  // The same loop, cut into 10 ms slices with a switch in between.
  for (let done = 0; done < LOOP_MS; done += 10) {
    busyLoop(Math.min(10, LOOP_MS - done));
    await sleep(0);
  }
}

// The heartbeat records when it beat (ms since `t0`).
async function heartbeat(t0: number, beats: number[]) {
  while (performance.now() - t0 < WINDOW_MS) {
    beats.push(performance.now() - t0);
    await sleep(BEAT_MS);
  }
}

async function trial(hog: () => Promise<void>) {
  const beats: number[] = [];
  const t0 = performance.now();
  const hogTask = spawn(hog);
  let hogMs = 0;
  hogTask.onDone(() => (hogMs = performance.now() - t0 - 300));
  await joinAll([spawn(heartbeat, t0, beats), hogTask]);
  // The row is drawn once the trial is over, not live: the detector
  // writes to stderr meanwhile, and the two would share a line.
  let gap = 0;
  for (let i = 1; i < beats.length; i++)
    gap = Math.max(gap, (beats[i] ?? 0) - (beats[i - 1] ?? 0));
  // One column per 50 ms: `|` where the heartbeat beat, `.` where not.
  const cells = Array.from({ length: Math.ceil(WINDOW_MS / 50) }, () => ".");
  for (const b of beats)
    cells[Math.min(cells.length - 1, Math.floor(b / 50))] = "|";
  console.log(
    `  heartbeat  ${cells.join("").replaceAll("|", paint("|", "red", color))}`,
  );
  console.log(
    `  beats ${beats.length} of ${Math.ceil(WINDOW_MS / BEAT_MS)}, longest gap ${Math.round(gap)} ms (one is due every ${BEAT_MS} ms)`,
  );
  return { beats: beats.length, gap, hogMs };
}

// The command line (--help, --timeline and the options), after the code
// a reader came for.
const opts = cli({
  usage:
    "npx tsx examples/03-one-blocks-all.ts [--block-ms N] [--loop-ms N] [--timeline]",
  about:
    "A blocking call and a CPU loop freeze a heartbeat task; awaiting ones do not.",
  options: {
    "block-ms": {
      type: "string",
      default: "600",
      help: "length of the blocking call, ms",
    },
    "loop-ms": {
      type: "string",
      default: "400",
      help: "length of the CPU loop, ms",
    },
  },
});
const BLOCK_MS = intOption("block-ms", opts["block-ms"], 0, 10_000);
const LOOP_MS = intOption("loop-ms", opts["loop-ms"], 0, 10_000);
const WINDOW_MS = 300 + BLOCK_MS + LOOP_MS + 700;

console.log(
  "(heartbeat row: one column per 50 ms, `|` a beat, `.` 50 ms without one)",
);
console.log(
  `1. the hog blocks: a ${BLOCK_MS} ms blocking call, then a ${LOOP_MS} ms CPU loop`,
);
const bad = await trial(blockingHog);
console.log(
  `2. the hog awaits: await sleep(${BLOCK_MS}), then the loop split by await sleep(0)`,
);
const good = await trial(politeHog);

console.log("");
console.log(
  table([
    ["hog", " beats", " longest gap", " hog's work took"],
    [
      "blocking",
      `${bad.beats}`,
      `${Math.round(bad.gap)} ms`,
      `${Math.round(bad.hogMs)} ms`,
    ],
    [
      "awaiting",
      `${good.beats}`,
      `${Math.round(good.gap)} ms`,
      `${Math.round(good.hogMs)} ms`,
    ],
  ]),
);
console.log("Same work, same time; only the awaiting hog lets the others run.");
