/**
 * @title Coroutines: eat and play share one thread
 * @note 一、协程 (the eat/play timing demo)
 * @run npx tsx examples/01-coroutines.ts
 * @output examples/01-coroutines.out
 *
 * Two tasks run on the one JavaScript thread: `eat` waits 3 s and
 * `play` waits 1 s. Look at the order of the lines, and at the total
 * at the end: about 3.0 s, not 3 + 1 = 4.0 s.
 */
import { cli } from "./support/cli.ts";
import { current, join, sleep, spawn } from "../lib/core.ts";

// Each task prints its own name: `current()` is gevent's
// `getcurrent()`, and the note prints `current_thread().name`.
async function eat() {
  console.log(`${current().name} eat 1`);
  // `await sleep()` is a switch point. eat is parked on a 3 s timer
  // (its state is saved in the paused function) and the thread is
  // free for the other task.
  await sleep(3000);
  console.log(`${current().name} eat 2`);
}

async function play() {
  console.log(`${current().name} play 1`);
  await sleep(1000);
  console.log(`${current().name} play 2`);
}

// The command line (--help, --timeline and the options), after the code
// a reader came for.
cli({
  usage: "npx tsx examples/01-coroutines.ts [--timeline]",
  about: "The note's timing demo: eat (3 s) and play (1 s) run together.",
});

const start = performance.now();

// spawn() only schedules a task and returns at once, like gevent's:
// neither task has run yet when the next line prints.
const g1 = spawn(eat);
const g2 = spawn(play);
console.log(current().name); // MainTask

// join() is a switch point too: main waits here, the tasks start in
// spawn order. Both timers run at the same time, so the total is the
// longest wait (3 s), plus a few milliseconds of timer slack.
await join(g1);
await join(g2);
const seconds = (performance.now() - start) / 1000;
console.log(
  `${current().name} done in ${seconds.toFixed(3)} s (not 4 s: the waits overlapped)`,
);
