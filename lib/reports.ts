/**
 * Reports, one line each on stderr: a failed task, with the place it
 * failed; a deadlock, with who waits for whom (gevent's LoopExit).
 * Importing this file turns them on (index.ts does).
 */
import { MAIN, type Task, reports, waitsOf } from "./core.ts";

const LIB = new URL(".", import.meta.url).pathname; // this folder

// The first place outside the lib and the runtime in a stack.
function place(stack: string | undefined): string {
  const frame = stack
    ?.split("\n")
    .find(
      (l) => /^\s+at /.test(l) && !l.includes(LIB) && !/\b(node|ext):/.test(l),
    );
  const at = frame
    ?.replace(/^\s+at (?:.* \()?(?:file:\/\/)?(.+?)\)?$/, "$1")
    .replace(`${process.cwd()}/`, "");
  return at ? ` (at ${at})` : "";
}

// Like gevent's hub: reported at once, even if someone joins later; with
// the place it was thrown (the whole stack is in `task.exception`).
reports.failed = (task: Task, error: unknown): void => {
  const e = error instanceof Error ? error : undefined;
  const what = e ? `${e.name}: ${e.message}` : String(error);
  const at = place(e?.stack);
  console.error(`${task.name} (${task.fnName}) failed with ${what}${at}`);
};

// Python's `except Exception` lets GreenletExit through; JavaScript's
// `catch {}` catches TaskExit too. Name the switch point it went on to.
reports.caughtExit = (task: Task): void => {
  const at = place(new Error().stack);
  console.error(
    `${task.name} (${task.fnName}) caught its TaskExit and went on${at}: ` +
      "stopped there; rethrow TaskExit in catch blocks",
  );
};

// gevent's LoopExit: Node is about to end the program, nothing is left
// that could wake a task, and MainTask waits in a lib wait that nothing
// can end: a pool slot, or a join of a task stuck so too (round in a
// circle, maybe). Say who waits for what, and exit 1. A task waiting for
// anything else, say a plain Promise, proves nothing: Node decides. And
// a join that Promise.race left behind is no deadlock: main went on.
process.on("beforeExit", () => {
  const who: string[] = [];
  const known = new Map<Task, boolean>();
  const stuck = (task: Task): boolean => {
    if (known.has(task)) return known.get(task)!; // true while in it: a circle
    known.set(task, true);
    const waits = waitsOf(task);
    const result =
      waits.length > 0 &&
      waits.every((w) => {
        if (typeof w.on === "string")
          who.push(`${task.name} waits for ${w.on}`);
        if (!Array.isArray(w.on)) return typeof w.on === "string";
        const on = w.on.filter((t) => !t.ready());
        who.push(
          `${task.name} waits for ${on.map((t) => t.name).join(" and ")}`,
        );
        return on.some(stuck);
      });
    known.set(task, result);
    return result;
  };
  if (!stuck(MAIN)) return;
  process.stderr.write(
    `error: deadlock, no task can ever go on: ${who.join(", ")}\n`,
  );
  process.exit(1);
});
