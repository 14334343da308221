/**
 * @title yield switches, but knows nothing about IO
 * @note 一、协程 3 (yield and greenlet cannot switch on IO by themselves)
 * @run npx tsx examples/02-yield.ts
 * @output examples/02-yield.out
 *
 * The eat/play demo twice, written with generators. First a loop
 * switches between them at every `yield`, but the waits are blocking
 * calls: 3 s + 1 s = about 4 s. Then the generators `yield` a request
 * to sleep, and a tiny scheduler parks each one on a timer: about 3 s.
 * Look at the time in front of each line.
 */
import { bar, paint, table, useColor } from "./support/chart.ts";
import { cli } from "./support/cli.ts";
import { markTimeline } from "./support/timeline.ts";

const color = useColor();
let start = performance.now();
function say(text: string) {
  const s = ((performance.now() - start) / 1000).toFixed(2);
  console.log(`  ${s} s  ${text}`);
}

// A blocking wait, like Python's time.sleep without gevent's patch:
// the whole thread stops here. Atomics.wait is a real OS-level sleep.
function blockingSleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// ---- 1. yield + blocking waits --------------------------------------
// A generator is a task that saves its own state: each `yield` hands
// control back, and next() resumes right after it.
function* eatBlocking(): Generator<void> {
  say("eat 1");
  blockingSleep(3000); // the thread waits here, nobody else can run
  yield;
  say("eat 2");
}
function* playBlocking(): Generator<void> {
  say("play 1");
  blockingSleep(1000);
  yield;
  say("play 2");
}

// Round robin: step each generator in turn until all are done. The
// switch works, but only at `yield`; the waits happen one after the
// other.
function roundRobin(tasks: [string, Generator<void>][]) {
  const ready = [...tasks];
  while (ready.length > 0) {
    const [name, gen] = ready.shift()!;
    markTimeline(name, "run");
    const step = gen.next();
    markTimeline(name, step.done ? "done" : "wait");
    if (!step.done) ready.push([name, gen]);
  }
}

// The command line (--help, --timeline and the options), after the code
// a reader came for.
cli({
  usage: "npx tsx examples/02-yield.ts [--timeline]",
  about:
    "eat (3 s) and play (1 s) as generators: blocking waits (4 s) vs timers (3 s).",
});

console.log("1. yield + a blocking wait (round robin):");
roundRobin([
  ["eat (blocking)", eatBlocking()],
  ["play (blocking)", playBlocking()],
]);
const blockingS = (performance.now() - start) / 1000;
console.log(
  `  total ${blockingS.toFixed(2)} s: the waits ran one after the other`,
);

// ---- 2. yield a sleep request to a scheduler ------------------------
// Now a task does not wait itself: it yields "wake me in N ms" and the
// scheduler parks it on a timer. The thread is free meanwhile, so the
// other task runs, and both timers tick at the same time.
type Request = { sleep: number };
function* eat(): Generator<Request> {
  say("eat 1");
  yield { sleep: 3000 };
  say("eat 2");
}
function* play(): Generator<Request> {
  say("play 1");
  yield { sleep: 1000 };
  say("play 2");
}

// The whole scheduler: run a task until it yields a request, park it
// on a timer, resume it when the timer fires. Done when all are done.
function schedule(tasks: [string, Generator<Request>][]): Promise<void> {
  return new Promise((done) => {
    let alive = tasks.length;
    const step = (name: string, gen: Generator<Request>) => {
      markTimeline(name, "run");
      const r = gen.next();
      if (r.done) {
        markTimeline(name, "done");
        if (--alive === 0) done();
        return;
      }
      markTimeline(name, "wait", r.value.sleep);
      setTimeout(() => step(name, gen), r.value.sleep);
    };
    for (const [name, gen] of tasks) step(name, gen);
  });
}

console.log("2. yield a sleep request to a timer scheduler:");
start = performance.now();
await schedule([
  ["eat (timers)", eat()],
  ["play (timers)", play()],
]);
const timersS = (performance.now() - start) / 1000;
console.log(`  total ${timersS.toFixed(2)} s: the waits overlapped`);

// This scheduler is what lib's spawn() and `await sleep()` do for you
// (examples/01-coroutines.ts), and what gevent's hub does for
// greenlets: switch on every wait, not only where you wrote `yield`.
console.log("");
const max = Math.max(blockingS, timersS);
console.log(
  table([
    ["way", " total", "bar"],
    [
      "yield + blocking wait",
      `${blockingS.toFixed(2)} s`,
      paint(bar(blockingS, max, 40), "red", color),
    ],
    [
      "yield + timer scheduler",
      `${timersS.toFixed(2)} s`,
      paint(bar(timersS, max, 40), "green", color),
    ],
  ]),
);
console.log(
  "The scheduler is what spawn() + await sleep() do for you (see 01).",
);
