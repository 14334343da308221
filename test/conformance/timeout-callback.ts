// A timeout inside a timer callback hits that callback only, never main.
import { sleep, withTimeout } from "../../lib/index.ts";

setTimeout(async () => {
  try {
    await withTimeout(50, () => sleep(200));
    console.log("never printed");
  } catch {
    console.log("callback: timed out");
  }
}, 10);
await sleep(300);
console.log("main: slept 300 ms untouched");
