// Six spawns into a Pool(2) in a loop: at most two run at once; join() waits for all six.
import { Pool, sleep } from "../../lib/index.ts";

const pool = new Pool(2);
let running = 0;
let most = 0;
let done = 0;
let fewestFree = pool.size;
const order: number[] = [];

async function job(i: number) {
  running++;
  most = Math.max(most, running);
  fewestFree = Math.min(fewestFree, pool.freeCount());
  order.push(i);
  await sleep(20);
  running--;
  done++;
}

for (let i = 0; i < 6; i++) pool.spawn(job, i); // not awaited
await pool.join();
console.log("started in order:", order.join(" "));
console.log("most running at once:", most);
console.log("fewest free slots:", fewestFree);
console.log("done after join:", done);
