// get() on a killed task: the lib throws TaskExit.
import { sleep, spawn } from "../../lib/index.ts";

const t = spawn(sleep, 1000);
await sleep(10);
await t.kill();
try {
  console.log("get returned:", await t.get());
} catch (e) {
  console.log("get raised:", (e as Error).name);
}
