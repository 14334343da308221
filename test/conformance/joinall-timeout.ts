// joinAll({ timeout }) returns the tasks that finished and throws nothing.
import { joinAll, sleep, spawn } from "../../lib/index.ts";

const fast = spawn(sleep, 10);
fast.name = "fast";
const slow = spawn(sleep, 5000);
slow.name = "slow";
const finished = await joinAll([fast, slow], { timeout: 500 });
console.log("finished:", finished.map((t) => t.name).join(" "));
console.log("slow ready:", slow.ready());
await slow.kill();
