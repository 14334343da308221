// Without raiseError, joinAll() waits for all and throws nothing.
import { joinAll, spawn } from "../../lib/index.ts";

class Boom extends Error {
  override name = "Boom";
}

const bad = spawn(() => {
  throw new Boom("boom");
});
bad.name = "bad";
const good = spawn(() => "good");
const finished = await joinAll([bad, good]);
console.log("finished:", finished.length);
console.log("bad successful:", bad.successful(), "good:", good.value);
