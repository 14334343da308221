import { joinAll, sleep, spawn } from "../../lib/index.ts";
async function parent(name: string) {
  spawn(console.log, "child of", name);
  await sleep(0);
  console.log(name, "resumes");
}
await joinAll([spawn(parent, "p1"), spawn(parent, "p2")]);
await sleep(10);
