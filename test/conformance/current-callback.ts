// A timer callback runs in the task that set it up (in gevent: in the hub).
import { current, join, sleep, spawn } from "../../lib/index.ts";

const worker = spawn(async () => {
  setTimeout(() => console.log("callback runs in:", current().name), 10);
  await sleep(30);
  console.log("work is still:", current().name);
});
worker.name = "worker";
await join(worker);
