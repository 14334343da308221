// A task spawned by a task queues behind the tasks already waiting to start.
import { joinAll, sleep, spawn } from "../../lib/index.ts";

async function outer() {
  console.log("outer starts");
  spawn(() => console.log("inner runs"));
  console.log("outer spawned inner");
  await sleep(0);
  console.log("outer resumes");
}

await joinAll([spawn(outer), spawn(() => console.log("other runs"))]);
await sleep(10);
console.log("main done");
