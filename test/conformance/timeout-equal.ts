// A timeout exactly as long as the work: the work finishes.
import { TimeoutError, sleep, withTimeout } from "../../lib/index.ts";

async function work() {
  await sleep(50);
  return "work finished";
}

console.log(
  await withTimeout(50, work).catch((e) =>
    e instanceof TimeoutError ? "timed out" : e,
  ),
);
