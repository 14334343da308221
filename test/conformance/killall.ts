// killAll() on tasks in every state: not started, sleeping, finished.
import { killAll, sleep, spawn } from "../../lib/index.ts";

const done = spawn(() => "done");
const asleep = spawn(async () => {
  try {
    await sleep(1000);
  } finally {
    console.log("sleeper: finally");
  }
});
await sleep(10);
const fresh = spawn(() => console.log("never printed"));
await killAll([done, asleep, fresh]);
for (const [name, t] of [
  ["done", done],
  ["asleep", asleep],
  ["fresh", fresh],
] as const) {
  console.log(name, "ready:", t.ready(), "killed:", t.killed);
}
