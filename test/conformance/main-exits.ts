// When main's code ends, Node still runs the tasks that wait on a timer.
import { sleep, spawn } from "../../lib/index.ts";

spawn(async () => {
  await sleep(50);
  console.log("the task finished");
});
await sleep(0);
console.log("main ends");
