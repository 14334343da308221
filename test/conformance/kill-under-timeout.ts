import { sleep, spawn, withTimeout } from "../../lib/index.ts";
const g = spawn(async () => {
  try {
    await sleep(1000);
  } finally {
    await sleep(300);
  }
});
await sleep(10);
try {
  await withTimeout(50, () => g.kill());
  console.log("kill returned, ready:", g.ready());
} catch {
  console.log("timed out, ready:", g.ready());
}
