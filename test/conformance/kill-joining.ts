// Killing a task that waits in join() ends only the waiter, not the task it waits for.
import { join, sleep, spawn } from "../../lib/index.ts";

const s = spawn(async () => {
  await sleep(200);
  return "slow done";
});
const w = spawn(async () => {
  try {
    await join(s);
    console.log("never printed");
  } finally {
    console.log("waiter: finally");
  }
});
await sleep(10);
await w.kill();
console.log("waiter killed:", w.killed, "slow ready:", s.ready());
console.log("slow:", await s.get());
