// The list joinAll() returns: in the order the tasks were given.
import { joinAll, sleep, spawn } from "../../lib/index.ts";

const slow = spawn(sleep, 100);
slow.name = "slow";
const fast = spawn(sleep, 10);
fast.name = "fast";
console.log(
  "finished:",
  (await joinAll([slow, fast])).map((t) => t.name).join(" "),
);
