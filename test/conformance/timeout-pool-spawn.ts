import { Pool, sleep, withTimeout } from "../../lib/index.ts";
const pool = new Pool(1);
await pool.spawn(sleep, 200);
try {
  await withTimeout(20, () => pool.spawn(console.log, "queued job runs"));
  console.log("spawned");
} catch {
  console.log("timed out");
}
await pool.join();
