// get() waits and returns the value; value holds it too.
import { sleep, spawn } from "../../lib/index.ts";

async function add(a: number, b: number) {
  await sleep(10);
  return a + b;
}

const t = spawn(add, 2, 3);
console.log("ready before:", t.ready());
console.log("get:", await t.get());
console.log(
  "value:",
  t.value,
  "successful:",
  t.successful(),
  "exception:",
  t.exception,
);
