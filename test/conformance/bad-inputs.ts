// Bad times and arguments: the lib throws a TypeError at once, before any switch.
import {
  Pool,
  Timeout,
  join,
  sleep,
  spawn,
  withTimeout,
} from "../../lib/index.ts";

async function attempt(what: string, f: () => unknown) {
  let result: unknown;
  try {
    result = f();
  } catch (e) {
    console.log(`${what}: raised ${(e as Error).name}`);
    return;
  }
  try {
    await result;
    console.log(`${what}: accepted`);
  } catch (e) {
    console.log(`${what}: rejected with ${(e as Error).name}`);
  }
}

const task = spawn(sleep, 10);
await attempt("with_timeout(-1)", () => withTimeout(-1, () => sleep(1000)));
await attempt("sleep(-1)", () => sleep(-1));
await attempt("Timeout(-1)", () => new Timeout(-1));
await attempt("join(task, -1)", () => join(task, -1));
await attempt("Pool(0)", () => new Pool(0));
await attempt("spawn(5)", () => spawn(5 as never));
