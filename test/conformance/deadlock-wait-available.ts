import { Pool, current, join, spawn } from "../../lib/index.ts";
const pool = new Pool(1);
await pool.spawn(() => join(current()));
await join(spawn(() => pool.waitAvailable()));
