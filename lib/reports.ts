/**
 * Reports, one line each on stderr: a failed task, with the place it
 * failed; a deadlock, with who waits for whom (gevent's LoopExit).
 * Importing this file turns them on (index.ts does).
 */
import { MAIN, type Task, reports, waitsOf } from "./core.ts";

const LIB = new URL(".", import.meta.url).pathname; // this folder

// Like gevent's hub: reported at once, even if someone joins later; with
// the first place outside the lib and the runtime where it was thrown
// (the whole stack is in `task.exception`).
reports.failed = (task: Task, error: unknown): void => {
  const e = error instanceof Error ? error : undefined;
  const frame = e?.stack
    ?.split("\n")
    .find(
      (l) => /^\s+at /.test(l) && !l.includes(LIB) && !/\b(node|ext):/.test(l),
    );
  const at = frame
    ?.replace(/^\s+at (?:.* \()?(?:file:\/\/)?(.+?)\)?$/, "$1")
    .replace(`${process.cwd()}/`, "");
  const what = e ? `${e.name}: ${e.message}` : String(error);
  console.error(
    `${task.name} (${task.fnName}) failed with ${what}${at ? ` (at ${at})` : ""}`,
  );
};

// gevent's LoopExit: nothing is left to run, and MainTask waits in a
// join whose tasks wait in joins too, round in a circle: nothing can
// ever wake them. Say who waits for whom, and exit 1. (A task waiting
// for anything else, say a plain Promise, proves nothing: Node decides.)
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
        const on = Array.isArray(w.on) ? w.on.filter((t) => !t.ready()) : [];
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
