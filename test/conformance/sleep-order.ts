// Sleepers wake in the order of their deadlines, not of their spawns.
import { joinAll, sleep, spawn } from "../../lib/index.ts";

async function nap(name: string, ms: number) {
  await sleep(ms);
  console.log(name, "wakes");
}

await joinAll([spawn(nap, "c", 150), spawn(nap, "a", 10), spawn(nap, "b", 80)]);
