// Pool.join(timeout) gives up quietly; kill() empties the pool.
import { Pool, sleep } from "../../lib/index.ts";

const pool = new Pool(2);
await pool.spawn(sleep, 10);
await pool.spawn(sleep, 1000);
await pool.join(150);
console.log("still in the pool after join(timeout):", pool.tasks.length);
await pool.kill();
console.log("after kill:", pool.tasks.length);
