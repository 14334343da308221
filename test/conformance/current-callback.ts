// A timer callback set up by a task: which task does it run in?
import { current, join, sleep, spawn } from "../../lib/index.ts";

const worker = spawn(async () => {
  setTimeout(() => console.log("callback runs in:", current().name), 10);
  await sleep(30);
  console.log("work is still:", current().name);
});
worker.name = "worker";
await join(worker);
