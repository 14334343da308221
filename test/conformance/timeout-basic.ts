// A Timeout interrupts the task that started it, at its switch point.
import { Timeout, TimeoutError, sleep } from "../../lib/index.ts";

const start = performance.now();
const t = Timeout.start(20);
try {
  await sleep(2000);
  console.log("never printed");
} catch (e) {
  console.log(
    "caught its own timeout:",
    e instanceof TimeoutError && e.timeout === t,
  );
} finally {
  t.cancel();
}
console.log("well before the sleep's end:", performance.now() - start < 1000);
