// A cancelled Timeout never fires.
import { Timeout, sleep } from "../../lib/index.ts";

const t = Timeout.start(100);
await sleep(10);
t.cancel();
await sleep(150);
console.log("no timeout after cancel");
