// Killing a task that already returned changes nothing.
import { join, spawn } from "../../lib/index.ts";

const t = spawn(() => "value");
await join(t);
await t.kill();
console.log(
  "value:",
  t.value,
  "killed:",
  t.killed,
  "successful:",
  t.successful(),
);
