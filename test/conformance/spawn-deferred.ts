// spawn() only schedules the child: it runs once the spawner yields.
import { sleep, spawn } from "../../lib/index.ts";

spawn(() => console.log("child runs"));
console.log("spawned; the child has not run yet");
await sleep(0);
console.log("after sleep(0)");
