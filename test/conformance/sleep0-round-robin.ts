// sleep(0) lets every other ready task run once: round robin.
import { joinAll, sleep, spawn } from "../../lib/index.ts";

async function loop(name: string) {
  for (let i = 0; i < 3; i++) {
    console.log(name + i);
    await sleep(0);
  }
}

await joinAll([spawn(loop, "a"), spawn(loop, "b")]);
