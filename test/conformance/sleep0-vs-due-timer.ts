import { joinAll, sleep, spawn } from "../../lib/index.ts";
async function nap(name: string, ms: number) {
  await sleep(ms);
  console.log(name, "wakes");
}
function busy() {
  const end = performance.now() + 20;
  while (performance.now() < end);
}
await joinAll([spawn(nap, "5ms", 5), spawn(nap, "zero", 0), spawn(busy)]);
