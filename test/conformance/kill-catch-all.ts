import { sleep, spawn } from "../../lib/index.ts";
const g = spawn(async () => {
  for (;;) {
    try {
      await sleep(10);
    } catch {
      console.log("error ignored");
    }
  }
});
await sleep(50);
await g.kill();
console.log("killed:", g.ready());
