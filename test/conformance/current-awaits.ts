// current() follows a task through every await, in nested calls too.
import { current, joinAll, sleep, spawn } from "../../lib/index.ts";

async function step(label: string, ms: number) {
  await sleep(ms);
  console.log(label, current().name);
}

async function work(ms: number) {
  console.log("start:", current().name);
  await step("in a nested call after a sleep:", ms);
  await sleep(0);
  console.log("after sleep(0):", current().name);
}

const a = spawn(work, 10);
a.name = "alpha";
const b = spawn(work, 100);
b.name = "beta";
await joinAll([a, b]);
