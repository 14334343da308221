import { Pool, sleep, spawn } from "../../lib/index.ts";
const pool = new Pool(1);
await pool.spawn(sleep, 100);
const s = spawn(() => pool.spawn(console.log, "queued job runs"));
await sleep(10);
await s.kill();
console.log("spawner killed:", s.killed);
await pool.join();
await sleep(10);
