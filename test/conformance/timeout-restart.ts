// Starting a Timeout that is already counting down: the lib starts it over.
import { Timeout } from "../../lib/index.ts";

const t = Timeout.start(50);
try {
  t.start();
  console.log("started again");
} catch (e) {
  console.log(`start() raised ${(e as Error).name}`);
}
t.cancel();
