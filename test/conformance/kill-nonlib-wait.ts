// A task in a wait that is not a switch point cannot be killed there: it finishes normally.
import { sleep, spawn } from "../../lib/index.ts";

const t = spawn(async () => {
  console.log("work: wait starts");
  await new Promise((resolve) => setTimeout(resolve, 30)); // not a lib wait
  console.log("work: wait over");
  return "done";
});
await sleep(10);
console.log("main: kill");
await t.kill();
console.log("value:", t.value, "killed:", t.killed);
