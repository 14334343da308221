// joinAll({ raiseError: true }) throws the first failure; the other tasks go on.
import { joinAll, sleep, spawn } from "../../lib/index.ts";

class Boom extends Error {
  override name = "Boom";
}

const bad = spawn(async () => {
  await sleep(10);
  throw new Boom("boom");
});
bad.name = "bad";
const slow = spawn(sleep, 1000);
try {
  await joinAll([bad, slow], { raiseError: true });
  console.log("never printed");
} catch (e) {
  console.log("joinall raised:", (e as Error).name);
}
console.log("slow ready:", slow.ready());
await slow.kill();
