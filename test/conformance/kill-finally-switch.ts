// A finally block may switch while the task is being killed; kill() waits for it.
import { sleep, spawn } from "../../lib/index.ts";

const t = spawn(async () => {
  try {
    await sleep(1000);
  } finally {
    console.log("work: cleaning up");
    await sleep(20);
    console.log("work: clean");
  }
});
await sleep(10);
await t.kill();
console.log("kill returned; killed:", t.killed);
