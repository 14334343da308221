// A failing task is reported on stderr at once; join() does not throw, get() does.
import { join, sleep, spawn } from "../../lib/index.ts";

class Boom extends Error {
  override name = "Boom";
}

const bad = spawn(() => {
  throw new Boom("boom");
});
bad.name = "bad";
const ok = spawn(async () => {
  await sleep(10);
  return "fine";
});
ok.name = "ok";
await join(bad);
console.log(
  "join returned; ready:",
  bad.ready(),
  "successful:",
  bad.successful(),
);
console.log("exception:", (bad.exception as Error).name);
try {
  await bad.get();
} catch (e) {
  console.log("get raised:", (e as Error).name, (e as Error).message);
}
console.log("the other task:", await ok.get());
