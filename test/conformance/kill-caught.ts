// A task may catch its kill and return a value: then it was not killed.
import { TaskExit, sleep, spawn } from "../../lib/index.ts";

const t = spawn(async () => {
  try {
    await sleep(1000);
  } catch (e) {
    if (!(e instanceof TaskExit)) throw e;
    console.log("work caught the kill");
    return "survived";
  }
});
await sleep(10);
await t.kill();
console.log(
  "value:",
  t.value,
  "killed:",
  t.killed,
  "successful:",
  t.successful(),
);
