import { Pool, current, join } from "../../lib/index.ts";
const pool = new Pool(1);
await pool.spawn(() => join(current()));
await pool.spawn(console.log, "never");
