// Killing a task before it starts: it never runs; a kill is not a failure.
import { sleep, spawn } from "../../lib/index.ts";

const t = spawn(() => console.log("never printed"));
await t.kill();
console.log(
  "ready:",
  t.ready(),
  "killed:",
  t.killed,
  "successful:",
  t.successful(),
);
await sleep(10);
console.log("main goes on");
