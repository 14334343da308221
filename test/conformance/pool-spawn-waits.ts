// Pool.spawn waits for a free slot: the spawner goes at the pool's pace.
import { Pool, sleep } from "../../lib/index.ts";

const pool = new Pool(2);

async function job(i: number, ms: number) {
  console.log("job", i, "starts");
  await sleep(ms);
  console.log("job", i, "ends");
}

for (const [i, ms] of [30, 200, 30, 30].entries()) {
  await pool.spawn(job, i, ms);
  console.log("main: spawned", i, "free:", pool.freeCount());
}
await pool.join();
console.log("main: joined; in the pool:", pool.tasks.length);
