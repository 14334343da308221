import { Pool, sleep, spawn } from "../../lib/index.ts";
const pool = new Pool(1);
const a = await pool.spawn(sleep, 1000);
spawn(async () => {
  await sleep(20);
  await a.kill();
  console.log("killer: kill returned");
});
await pool.spawn(sleep, 0);
console.log("main: got the slot");
await sleep(10);
