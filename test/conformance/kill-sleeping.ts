// kill() ends a sleeping task at its switch point; its finally runs; kill waits.
import { sleep, spawn } from "../../lib/index.ts";

const t = spawn(async () => {
  try {
    console.log("work sleeps");
    await sleep(1000);
    console.log("never printed");
  } finally {
    console.log("work: finally");
  }
});
await sleep(10);
console.log("main kills");
await t.kill();
console.log("kill returned; killed:", t.killed, "exception:", t.exception);
