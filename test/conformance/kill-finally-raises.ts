// A kill whose finally block throws: the task fails with that error, reported.
import { sleep, spawn } from "../../lib/index.ts";

class Boom extends Error {
  override name = "Boom";
}

const t = spawn(async () => {
  try {
    await sleep(1000);
  } finally {
    throw new Boom("in finally");
  }
});
t.name = "work";
await sleep(10);
await t.kill();
console.log("killed:", t.killed, "successful:", t.successful());
console.log("exception:", (t.exception as Error).name);
