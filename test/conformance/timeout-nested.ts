// Nested Timeouts: each handler checks which one fired.
import { Timeout, TimeoutError, sleep } from "../../lib/index.ts";

async function nested(outerMs: number, innerMs: number) {
  const outer = Timeout.start(outerMs);
  try {
    const inner = Timeout.start(innerMs);
    try {
      await sleep(1000);
    } catch (e) {
      if (!(e instanceof TimeoutError && e.timeout === inner)) throw e;
      console.log("inner fired, caught inside");
    } finally {
      inner.cancel();
    }
    await sleep(10);
    console.log("outer did not fire");
  } catch (e) {
    console.log(
      "outer fired, caught outside:",
      e instanceof TimeoutError && e.timeout === outer,
    );
  } finally {
    outer.cancel();
  }
}

await nested(200, 20);
await nested(20, 200);
