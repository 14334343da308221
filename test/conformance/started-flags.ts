// started(): the lib's is true once the task has left the start queue, and stays true.
import { join, sleep, spawn } from "../../lib/index.ts";

const t = spawn(sleep, 10);
console.log("just spawned:", t.started());
await sleep(0);
console.log("running:", t.started());
await join(t);
console.log("finished:", t.started());
const k = spawn(sleep, 10);
await k.kill();
console.log("killed before it started:", k.started());
