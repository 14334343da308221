// Conformance with real gevent: each scenario is a pair of small
// programs, test/conformance/<name>.py (gevent, run by Debian's
// /usr/bin/python3) and test/conformance/<name>.ts (the lib), that
// print a trace, one line per event. The test runs both and compares
// the traces line by line. Where the lib differs from gevent on
// purpose, the scenario says why and gives the exact TS trace expected
// instead: this table is the precise answer to "how does the lib
// differ from gevent?".
//
// A trace is the program's stdout, then one line per fact found on
// stderr (a task's failure report, a deadlock report), then its exit
// status. Python's True/False/None print as true/false/undefined. The
// programs print their own labels (task names they assign) and coarse
// facts only: no raw times. Without gevent the suite is one skipped
// test that says how to install it (a failure when CI is set).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const PYTHON = "/usr/bin/python3";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIR = fileURLToPath(new URL("conformance/", import.meta.url));

/** What the lib's trace is expected to be, given gevent's. */
type Expect = (gevent: string[]) => string[];

interface Scenario {
  /** test/conformance/<name>.py and .ts */
  name: string;
  /** A documented difference: one line for the README's gevent-to-TypeScript table. */
  differs?: { why: string; expect: Expect };
  /** How many lines the lib may write on stderr (checked when set). */
  stderrLines?: number;
}

/** Replaces whole lines of gevent's trace; each must be there, once. */
function replace(lines: Record<string, string>): Expect {
  return (gevent) => {
    for (const line of Object.keys(lines)) {
      assert.equal(
        gevent.filter((l) => l === line).length,
        1,
        `gevent's trace has no single line ${JSON.stringify(line)}`,
      );
    }
    return gevent.map((l) => lines[l] ?? l);
  };
}

/** Both traces in full, for differences in order: gevent's must be as written. */
function both(gevent: string[], lib: string[]): Expect {
  return (actual) => {
    assert.deepEqual(actual, gevent, "gevent's own trace changed");
    return lib;
  };
}

const scenarios: Scenario[] = [
  // Spawning and switching.
  { name: "spawn-deferred" },
  { name: "spawn-order" },
  { name: "nested-spawn" },
  { name: "sleep0-round-robin" },
  { name: "sleep-order" },
  { name: "sleep-together" },
  {
    name: "default-names",
    differs: {
      why: "default names: Greenlet-0, Greenlet-1 → Task-1, Task-2; the main greenlet has no name → MainTask",
      expect: replace({
        "I am Greenlet-0": "I am Task-1",
        "I am Greenlet-1": "I am Task-2",
        "main is <no name>": "main is MainTask",
      }),
    },
  },
  { name: "current-awaits" },
  {
    name: "callback-outlives-kill",
    differs: {
      why: "code a greenlet sets up to run later is not part of it → a plain callback belongs to the task that set it up: a kill of the task ends the callback's wait too",
      expect: both(
        ["worker killed: true", "callback slept", "exit: 0"],
        ["callback got TaskExit", "worker killed: true", "exit: 0"],
      ),
    },
  },
  {
    name: "main-exits",
    differs: {
      why: "the program ends with main, dropping running greenlets → Node runs on while a task waits on a timer",
      expect: both(
        ["main ends", "exit: 0"],
        ["main ends", "the task finished", "exit: 0"],
      ),
    },
  },
  {
    name: "current-callback",
    differs: {
      why: "a timer callback runs in the hub → in the task that set it up: current() is that task",
      expect: replace({
        "callback runs in: the hub": "callback runs in: worker",
      }),
    },
  },
  // Results and failures.
  { name: "get-value" },
  {
    name: "started-flags",
    differs: {
      why: "g.started is true from spawn until the end (bool(g)) → task.started() is true once the task left the start queue, and stays true",
      expect: replace({
        "just spawned: true": "just spawned: false",
        "finished: false": "finished: true",
        "killed before it started: false": "killed before it started: true",
      }),
    },
  },
  { name: "failing-task" },
  {
    name: "join-timeout",
    differs: {
      why: "join(timeout) returns None → join(task, ms) resolves to task.ready()",
      expect: replace({ "join returned: undefined": "join returned: false" }),
    },
  },
  { name: "joinall-quiet" },
  { name: "joinall-timeout" },
  {
    name: "joinall-order",
    differs: {
      why: "joinall returns the finished greenlets in the order they finished → joinAll returns them in the order given",
      expect: replace({ "finished: fast slow": "finished: slow fast" }),
    },
  },
  { name: "joinall-raise" },
  // kill() in every state.
  { name: "kill-pending" },
  { name: "kill-sleeping" },
  { name: "kill-joining" },
  { name: "kill-self" },
  { name: "kill-self-nowait" },
  { name: "kill-twice" },
  { name: "kill-finished" },
  { name: "kill-caught" },
  { name: "kill-finally-switch" },
  { name: "kill-finally-raises" },
  { name: "killall" },
  { name: "kill-recv" },
  {
    name: "get-killed",
    differs: {
      why: "get() on a killed greenlet returns the GreenletExit → task.get() throws TaskExit",
      expect: replace({ "get returned: GreenletExit": "get raised: TaskExit" }),
    },
  },
  {
    name: "kill-nonlib-wait",
    differs: {
      why: "a blocking call stops every greenlet → an await on a non-lib promise lets others run (and kill), yet the task ends normally, killed false",
      expect: both(
        [
          "work: wait starts",
          "work: wait over",
          "main: kill",
          "value: done killed: false",
          "exit: 0",
        ],
        [
          "work: wait starts",
          "main: kill",
          "work: wait over",
          "value: done killed: false",
          "exit: 0",
        ],
      ),
    },
  },
  // Timeouts.
  { name: "timeout-basic" },
  { name: "timeout-cancel" },
  {
    name: "timeout-restart",
    differs: {
      why: "start() on a Timeout already counting down raises AssertionError → timeout.start() starts it over",
      expect: replace({ "start() raised AssertionError": "started again" }),
    },
  },
  { name: "timeout-nested" },
  { name: "timeout-equal" }, // defect 6
  { name: "timeout-blocked" }, // defect 2
  { name: "timeout-callback" }, // defect 3
  { name: "timeout-callback-start" }, // defect 3, with Timeout.start
  { name: "recv-timeout" },
  {
    name: "bad-inputs",
    differs: {
      why: "negative times, Pool(0): gevent accepts them (or raises Timeout) → the lib throws a TypeError at once",
      expect: replace({
        "with_timeout(-1): raised Timeout":
          "with_timeout(-1): raised TypeError",
        "sleep(-1): accepted": "sleep(-1): raised TypeError",
        "Timeout(-1): accepted": "Timeout(-1): raised TypeError",
        "join(task, -1): accepted": "join(task, -1): raised TypeError",
        "Pool(0): accepted": "Pool(0): raised TypeError",
      }),
    },
  },
  // Pools.
  { name: "pool-no-await" }, // defect 4
  { name: "pool-spawn-waits" },
  { name: "pool-join-timeout" },
  // Kills, killAll and pool.spawn are switch points of the caller.
  { name: "kill-under-timeout" },
  { name: "killall-under-timeout" },
  { name: "kill-in-pool-spawn" },
  { name: "timeout-pool-spawn" },
  // Order of the run queue.
  { name: "spawn-sleep0-order" },
  {
    name: "sleep0-vs-due-timer",
    differs: {
      why: "a sleep(0) goes before a timer that fell due while a greenlet blocked → Node runs due timers first, then the run queue",
      expect: both(
        ["zero wakes", "5ms wakes", "exit: 0"],
        ["5ms wakes", "zero wakes", "exit: 0"],
      ),
    },
  },
  {
    name: "kill-resume-order",
    differs: {
      why: "after a kill frees a pool slot, the killer resumes first → the spawner waiting for the slot resumes first",
      expect: both(
        ["killer: kill returned", "main: got the slot", "exit: 0"],
        ["main: got the slot", "killer: kill returned", "exit: 0"],
      ),
    },
  },
  // Catch-alls.
  {
    name: "kill-catch-all",
    stderrLines: 1,
    differs: {
      why: "except Exception lets GreenletExit through → catch {} catches TaskExit: the task is stopped at its next switch point, with one line naming it",
      expect: both(
        ["killed: true", "exit: 0"],
        [
          "error ignored",
          "killed: true",
          "stderr: Task-1 caught its TaskExit",
          "exit: 0",
        ],
      ),
    },
  },
  {
    name: "timeout-catch-all",
    differs: {
      why: "except Exception lets Timeout through → catch {} catches TimeoutError once; withTimeout still throws it, never a value",
      expect: both(["timed out", "exit: 0"], ["retry", "timed out", "exit: 0"]),
    },
  },
  // Sockets (127.0.0.1).
  { name: "socket-echo" },
  { name: "close-unread" },
  { name: "sendall-timeout" },
  { name: "sendall-kill" },
  { name: "sendall-after-timeout" },
  { name: "sendall-after-peer-close" },
  {
    name: "backlog",
    differs: {
      why: "listen(1) on a server that never accepts queues two handshakes, the next connect waits → node:net accepts every connection by itself; the backlog bounds only the kernel's queue while node is busy",
      expect: both(
        ["connect 0 ok", "connect 1 ok", "connect 2 timed out", "exit: 0"],
        [
          "connect 0 ok",
          "connect 1 ok",
          "connect 2 ok",
          "connect 3 ok",
          "exit: 0",
        ],
      ),
    },
  },
  {
    name: "pool-deadlock",
    stderrLines: 1,
    differs: {
      why: "LoopExit with a traceback → one stderr line naming what main waits for; both exit non-zero",
      expect: replace({
        "stderr: LoopExit":
          "stderr: deadlock: MainTask waits for a free slot in the pool",
      }),
    },
  },
  {
    name: "deadlock-wait-available",
    stderrLines: 1,
    differs: {
      why: "LoopExit with a traceback → one stderr line naming who waits for whom; both exit non-zero",
      expect: replace({
        "stderr: LoopExit":
          "stderr: deadlock: MainTask waits for Task-2, Task-2 waits for a free slot in the pool",
      }),
    },
  },
  // Deadlock: defect 5.
  {
    name: "deadlock",
    stderrLines: 1,
    differs: {
      why: "LoopExit with a traceback → one stderr line naming who waits for whom; both exit non-zero",
      expect: replace({
        "stderr: LoopExit":
          "stderr: deadlock: MainTask waits for Task-1, Task-1 waits for Task-2, Task-2 waits for Task-1",
      }),
    },
  },
];

interface Run {
  trace: string[];
  stderr: string;
}

/** Facts from stderr: failure reports and deadlocks, in gevent's words or the lib's. */
function stderrFacts(stderr: string, side: "py" | "ts"): string[] {
  const facts: string[] = [];
  for (const line of stderr.split("\n")) {
    if (side === "py") {
      const failed =
        /<Greenlet (?:"([^"]*)" )?at 0x[0-9a-f]+[^>]*> failed with (\w+)/.exec(
          line,
        );
      if (failed)
        facts.push(`stderr: ${failed[1] ?? "?"} failed with ${failed[2]}`);
      if (/^gevent\.exceptions\.LoopExit\b/.test(line))
        facts.push("stderr: LoopExit");
    } else {
      const failed = /([\w.-]+)"?>?(?: \([^)]*\))? failed with (\w+)/.exec(
        line,
      );
      if (failed) facts.push(`stderr: ${failed[1]} failed with ${failed[2]}`);
      const deadlock = /deadlock, no task can ever go on: (.*)$/.exec(line);
      if (deadlock) facts.push(`stderr: deadlock: ${deadlock[1]}`);
      const caught = /^([\w.-]+) \(.*\) caught its TaskExit/.exec(line);
      if (caught) facts.push(`stderr: ${caught[1]} caught its TaskExit`);
      if (/unsettled top-level await/.test(line))
        facts.push("stderr: unsettled top-level await");
    }
  }
  return facts;
}

function run(side: "py" | "ts", name: string): Promise<Run> {
  const [cmd, args] =
    side === "py"
      ? [PYTHON, ["-u", `${DIR}${name}.py`]]
      : [process.execPath, ["--import", "tsx", `${DIR}${name}.ts`]];
  return new Promise((resolve) => {
    // Not NODE_TEST_CONTEXT: the programs are plain programs, not tests.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    execFile(
      cmd,
      args,
      { cwd: ROOT, env, timeout: 15_000, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        let out = stdout.split("\n");
        if (out.at(-1) === "") out.pop();
        if (side === "py") {
          out = out.map((l) =>
            l
              .replace(/\bTrue\b/g, "true")
              .replace(/\bFalse\b/g, "false")
              .replace(/\bNone\b/g, "undefined"),
          );
        }
        const code = error
          ? error.killed
            ? "killed after 15 s"
            : "non-zero"
          : "0";
        resolve({
          trace: [...out, ...stderrFacts(stderr, side), `exit: ${code}`],
          stderr,
        });
      },
    );
  });
}

// At most two programs at once, all started up front: the tests below
// only wait for their own pair.
function limit(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return <T>(job: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve) => {
      const go = () => {
        active++;
        void job()
          .then(resolve)
          .finally(() => {
            active--;
            queue.shift()?.();
          });
      };
      if (active < n) go();
      else queue.push(go);
    });
}

function hasGevent(): boolean {
  try {
    execFileSync(PYTHON, ["-c", "import gevent"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const missing = hasGevent()
  ? undefined
  : `needs gevent for ${PYTHON}: apt-get install -y python3-gevent`;

test("conformance: every pair of programs is in the table, and every entry has its pair", () => {
  const files = readdirSync(DIR).sort();
  const expected = scenarios
    .flatMap((s) => [`${s.name}.py`, `${s.name}.ts`])
    .sort();
  assert.deepEqual(files, expected);
  assert.ok(scenarios.length >= 32);
});

test("conformance: both READMEs list exactly the differences asserted here", async () => {
  const { readFileSync } = await import("node:fs");
  const differing = scenarios
    .filter((s) => s.differs)
    .map((s) => s.name)
    .sort();
  for (const readme of ["README.md", "README.zh-CN.md"]) {
    const text = readFileSync(new URL(`../${readme}`, import.meta.url), "utf8");
    const rows = [...text.matchAll(/^\| `([a-z0-9-]+)` \|/gm)]
      .map((m) => m[1])
      .sort();
    assert.deepEqual(
      rows,
      differing,
      `${readme}: the gevent differences table`,
    );
  }
});

if (missing !== undefined) {
  // One line, not one per scenario. In CI (.ci/run installs gevent) it is a failure.
  if (process.env.CI)
    test("conformance: gevent is installed (required in CI)", () =>
      assert.fail(missing));
  else test("conformance: gevent against the lib", { skip: missing }, () => {});
} else {
  const slot = limit(2);
  const runs = new Map<string, Promise<[Run, Run]>>();
  for (const s of scenarios) {
    runs.set(
      s.name,
      Promise.all([
        slot(() => run("py", s.name)),
        slot(() => run("ts", s.name)),
      ]),
    );
  }
  for (const s of scenarios) {
    const title = s.differs
      ? `conformance: ${s.name} (differs: ${s.differs.why})`
      : `conformance: ${s.name}`;
    test(title, async () => {
      const [py, ts] = await runs.get(s.name)!;
      const expected = s.differs ? s.differs.expect(py.trace) : py.trace;
      const why = `\n--- gevent stderr:\n${py.stderr}\n--- lib stderr:\n${ts.stderr}`;
      const against = s.differs ? "the documented one" : "gevent's";
      assert.deepEqual(
        ts.trace,
        expected,
        `${s.name}: the lib's trace differs from ${against}${why}`,
      );
      if (s.stderrLines !== undefined) {
        assert.equal(
          ts.stderr.trimEnd().split("\n").length,
          s.stderrLines,
          `${s.name}: stderr lines${why}`,
        );
      }
    });
  }
}
