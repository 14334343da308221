// A Timeout started in a timer callback hits that callback only, never main.
import { Timeout, TimeoutError, sleep } from "../../lib/index.ts";

setTimeout(async () => {
  const t = Timeout.start(50);
  try {
    await sleep(200);
    console.log("never printed");
  } catch {
    console.log("callback: timed out");
  } finally {
    t.cancel();
  }
}, 10);
try {
  await sleep(300);
  console.log("main: slept 300 ms untouched");
} catch (e) {
  if (e instanceof TimeoutError)
    console.log("main: got the callback's timeout");
}
