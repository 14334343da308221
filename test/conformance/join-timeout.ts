// join(task, timeout) gives up quietly; the task goes on.
import { join, sleep, spawn } from "../../lib/index.ts";

const slow = spawn(sleep, 100);
console.log("join returned:", await join(slow, 20));
console.log("ready:", slow.ready());
await join(slow);
console.log("ready:", slow.ready());
