// Sleepers of one length, begun together, wake one at a time: each runs
// until it switches again before the next one wakes.
import { joinAll, sleep, spawn } from "../../lib/index.ts";

async function nap(name: string) {
  await sleep(50);
  console.log(name, "wakes");
}

async function worker(name: string) {
  await nap(name); // the return from nap() takes a microtask of its own
  console.log(name, "goes on");
  await sleep(0);
  console.log(name, "after sleep(0)");
}

const workers = [..."abcd"].map((name) => spawn(worker, name));
await sleep(10);
await workers[1]!.kill();
console.log("b killed");
await joinAll(workers);
