// A task that kills itself without waiting ends at its next switch point.
import { current, join, sleep, spawn } from "../../lib/index.ts";

const t = spawn(async () => {
  current().kill(); // not awaited
  console.log("kill asked; still running");
  try {
    await sleep(10);
    console.log("never printed");
  } finally {
    console.log("work: finally");
  }
});
await join(t);
console.log("killed:", t.killed);
await sleep(10);
console.log("main goes on");
