import { sleep, withTimeout } from "../../lib/index.ts";
async function fetch() {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await sleep(50);
      return "fetched";
    } catch {
      console.log("retry");
    }
  }
}
try {
  console.log(await withTimeout(20, fetch));
} catch {
  console.log("timed out");
}
