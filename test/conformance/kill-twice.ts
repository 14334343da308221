// Two kills: the first one ends the task, the second is a no-op; finally runs once.
import { sleep, spawn } from "../../lib/index.ts";

const t = spawn(async () => {
  try {
    await sleep(1000);
  } finally {
    console.log("work: finally");
  }
});
await sleep(10);
t.kill(); // not awaited
await t.kill();
console.log("killed:", t.killed);
await t.kill();
console.log("a kill after the end changes nothing; ready:", t.ready());
