// Code a task sets up to run later (a timer callback) belongs to the task:
// killing the task ends the callback's wait too (gevent's hub spares it).
import { TaskExit, sleep, spawn } from "../../lib/index.ts";

const worker = spawn(async () => {
  setTimeout(async () => {
    try {
      await sleep(200);
      console.log("callback slept");
    } catch (e) {
      if (e instanceof TaskExit) console.log("callback got TaskExit");
    }
  }, 10);
  await sleep(1000);
});
await sleep(100);
await worker.kill();
console.log("worker killed:", worker.killed);
await sleep(300);
