// A Timeout that expires during a wait that is not a switch point is delivered at the next one.
import {
  Timeout,
  TimeoutError,
  joinAll,
  sleep,
  spawn,
} from "../../lib/index.ts";

const b = spawn(sleep, 1000);
const a = spawn(async () => {
  const t = Timeout.start(10);
  try {
    await new Promise((resolve) => setTimeout(resolve, 30)); // not a lib wait
    b.kill(); // not awaited
    await sleep(100);
    return "no timeout";
  } catch (e) {
    return `caught its own timeout: ${e instanceof TimeoutError && e.timeout === t}`;
  } finally {
    t.cancel();
  }
});
await joinAll([a, b]);
console.log("a:", a.value);
console.log("b killed:", b.killed);
