// The demo tour (scripts/tour.ts): it runs every example to the end
// without a terminal, and however it is stopped (Ctrl-C, SIGINT to the
// tour alone, kill -9) it leaves no process behind.
//
// Each tour runs in its own process group (detached), so "no process
// left" means: no live process of that group remains.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { promisify } from "node:util";
import { EXTRA_RUNS, cols } from "../scripts/shared/tour-cards.ts";
import { descendants, processes } from "./procs.ts";
import { scratchTour } from "./scratch-tour.ts";

const run = promisify(execFile);
// English first, whatever the machine's locale (the Chinese cards have tests of their own).
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NO_COLOR: "1",
  LANG: "C.UTF-8",
};
delete env.FORCE_COLOR; // (an empty FORCE_COLOR makes Node warn that NO_COLOR is ignored)
delete env.LC_ALL;
delete env.LC_MESSAGES;
const tour = (...args: string[]) =>
  [process.execPath, ["--import", "tsx", "scripts/tour.ts", ...args]] as const;

const files = readdirSync("examples")
  .filter((f) => /^\d\d-[a-z0-9-]+\.ts$/.test(f))
  .sort();
const titles = files.map(
  (f) =>
    /\n \* @title (.+)\n/.exec(readFileSync(`examples/${f}`, "utf8"))?.[1] ?? f,
);
const server = files.find((f) => /^\d\d-(.*-)?server\.ts$/.test(f));
const clients = files.filter((f) => /^\d\d-(.*-)?client\.ts$/.test(f));

/**
 * The process groups of the tour `pid` and of its descendants: the tour's
 * own group, plus the background server's (its guard runs detached).
 */
function tourGroups(pid: number): number[] {
  const all = processes();
  const mine = new Set([pid, ...descendants(pid, all).map((p) => p.pid)]);
  return [
    ...new Set(
      all.filter((p) => mine.has(p.pid) || p.pgrp === pid).map((p) => p.pgrp),
    ),
  ];
}

/** The live (non-zombie) processes whose process group is one of `pgids`. */
function groupMembers(...pgids: number[]): string[] {
  return processes()
    .filter((p) => pgids.includes(p.pgrp))
    .map((p) => `${p.pid} ${p.cmd.slice(0, 120)}`);
}

async function waitUntil(
  what: string,
  ok: () => boolean,
  ms: number,
): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end)
      assert.fail(`timed out after ${ms} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a tour in its own process group and collects its output. */
function startTour(args: string[]): {
  child: ChildProcess;
  out: () => string;
  exit: Promise<[number | null, string | null]>;
} {
  const [bin, argv] = tour(...args);
  const child = spawn(bin, argv, {
    detached: true,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
  const exit = new Promise<[number | null, string | null]>((resolve) =>
    child.on("exit", (code, sig) => resolve([code, sig])),
  );
  return { child, out: () => text, exit };
}

/** Which tour to interrupt: the socket section if there is one, else the first example. */
const midTour = server
  ? [
      "--only",
      [server, ...clients].map((f) => f.slice(0, 2)).join(","),
      "--duration",
      "20",
    ]
  : ["--only", "01"];
/** The line after which examples are running (the client's card, or the first card). */
const runningMarker =
  server && clients[0]
    ? new RegExp(`\\$ npx tsx examples/${clients[0]} `)
    : /\$ npx tsx examples\/01-/;

/** Interrupts a tour mid-run with `how`, then checks that nothing is left. */
async function interrupt(
  how: (pid: number) => void,
): Promise<{ code: number | null; signal: string | null; out: string }> {
  const t = startTour(midTour);
  const pid = t.child.pid!;
  try {
    await waitUntil(
      "the examples to start",
      () => runningMarker.test(t.out()),
      60_000,
    );
    const port = /listening on 127\.0\.0\.1:(\d+)/.exec(t.out())?.[1];
    await new Promise((r) => setTimeout(r, 800)); // let them get going
    const groups = tourGroups(pid);
    const before = groupMembers(...groups);
    assert.ok(
      before.length >= 2,
      `expected the tour and an example running, got:\n${before.join("\n")}`,
    );
    for (const f of server ? [server, clients[0]!] : ["01-"]) {
      // The example itself, not only its guard (whose command line names it too).
      const itself = before.some(
        (p) => p.includes(`examples/${f}`) && !/ -e /.test(p),
      );
      assert.ok(itself, `${f} is not running:\n${before.join("\n")}`);
    }
    how(pid);
    const [code, signal] = await t.exit;
    await waitUntil(
      `no process left in the tour's groups:\n${groupMembers(...groups).join("\n")}`,
      () => groupMembers(...groups).length === 0,
      15_000,
    );
    if (port) {
      // The server is gone: its port refuses connections.
      const refused = await new Promise<boolean>((resolve) => {
        const s = connect(Number(port), "127.0.0.1");
        s.on("connect", () => (s.destroy(), resolve(false)));
        s.on("error", () => resolve(true));
      });
      assert.ok(
        refused,
        `the server still accepts connections on port ${port}`,
      );
    }
    return { code, signal, out: t.out() };
  } finally {
    try {
      process.kill(-pid, "SIGKILL"); // only if a check above failed
    } catch {}
    for (const g of tourGroups(pid)) {
      try {
        if (g !== pid) process.kill(-g, "SIGKILL");
      } catch {}
    }
  }
}

test("tour --help prints usage; a bad option or --only exits 2 with one line", async () => {
  const [bin, argv] = tour("--help");
  const help = await run(bin, argv, { env });
  assert.match(help.stdout, /^Usage: /);
  for (const flag of ["--only", "--list", "--no-pause", "--runtime"])
    assert.ok(help.stdout.includes(flag), `--help misses ${flag}`);
  for (const bad of [
    ["--bogus"],
    ["--only", "99"],
    ["--runtime", "python"],
    ["--duration", "x"],
    ["--lang", "fr"],
  ]) {
    const [b, a] = tour(...bad);
    const err = await run(b, a, { env }).then(
      () => assert.fail(`${bad.join(" ")} should fail`),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(err.code, 2, bad.join(" "));
    assert.equal(
      err.stderr.trim().split("\n").length,
      1,
      `one line expected, got: ${err.stderr}`,
    );
    assert.doesNotMatch(err.stderr, /\n\s+at /);
  }
});

test("tour --list names every example in order; --only selects", async () => {
  const [bin, argv] = tour("--list");
  const { stdout } = await run(bin, argv, { env });
  let at = -1;
  for (const [i, f] of files.entries()) {
    const pos = stdout.indexOf(`${f.slice(0, 2)}  ${titles[i]}`);
    assert.ok(
      pos > at,
      `--list shows ${f} out of order or not at all:\n${stdout}`,
    );
    at = pos;
  }
  const [b2, a2] = tour("--list", "--only", files[0]!.slice(0, 2));
  const only = await run(b2, a2, { env });
  assert.ok(only.stdout.includes(titles[0]!));
  if (files.length > 1)
    assert.ok(!only.stdout.includes(`${files[1]!.slice(0, 2)}  `));
});

test(
  "the tour runs every example straight through when not on a terminal, exit 0",
  { timeout: 180_000 },
  async () => {
    // Neither NO_COLOR nor FORCE_COLOR: the examples and the tour must
    // see the pipe and print no colour by themselves.
    const piped = { ...process.env };
    delete piped.NO_COLOR;
    delete piped.FORCE_COLOR;
    const [bin, argv] = tour("--quick");
    const { stdout, stderr } = await run(bin, argv, {
      env: piped,
      timeout: 170_000,
      maxBuffer: 32 * 1024 * 1024,
    });
    assert.ok(
      !stdout.includes("\x1b[") && !stderr.includes("\x1b["),
      "colour codes in a pipe",
    );
    // A title card for every example, in order, each passed.
    let at = -1;
    for (const [i, f] of files.entries()) {
      const pos = stdout.indexOf(`  ${f.slice(0, -3)}\n${titles[i]}`);
      assert.ok(pos > at, `no title card for ${f} (or out of order)`);
      at = pos;
      assert.ok(
        stdout.includes(`✓ ${f.slice(0, -3)}\n`),
        `${f} did not pass:\n${stdout.slice(-3000)}`,
      );
    }
    // The note's section, in English and then in Chinese.
    assert.match(stdout, /\nnote {2}Part 1: Coroutines \(/);
    assert.match(stdout, /\n笔记 {2}一、协程（/);
    // Every extra run of an example (the note's thread client) has a step too.
    const steps =
      files.length +
      files.reduce((n, f) => n + (EXTRA_RUNS[f.slice(0, -3)]?.length ?? 0), 0);
    assert.match(
      stdout,
      new RegExp(`tour done: ${steps} of ${steps} steps, all passed\\n$`),
    );
    for (const line of stdout.split("\n"))
      assert.ok(cols(line) <= 80, `a line wider than 80 columns: ${line}`);
    if (server) {
      assert.match(
        stdout,
        new RegExp(
          `\\[${server.slice(0, -3)}\\] listening on 127\\.0\\.0\\.1:\\d+`,
        ),
      );
      assert.match(stdout, /--port \d+ --duration 1\n/);
    }
  },
);

test(
  "SIGINT to the tour alone mid-run: it stops every example, exit 130",
  { timeout: 120_000 },
  async () => {
    const r = await interrupt((pid) => process.kill(pid, "SIGINT"));
    assert.equal(r.code, 130, r.out);
    assert.match(r.out, /tour stopped \(SIGINT\)/);
  },
);

test(
  "Ctrl-C in a terminal (SIGINT to the whole group) leaves no process, exit 130",
  { timeout: 120_000 },
  async () => {
    const r = await interrupt((pid) => process.kill(-pid, "SIGINT"));
    assert.equal(r.code, 130, r.out);
    if (server) {
      // The server runs in its own group: Ctrl-C stops the client, which
      // reports its summary, and only then does the tour stop the server.
      assert.doesNotMatch(
        r.out,
        /ECONNRESET|went away|closed by the server/,
        r.out,
      );
    }
  },
);

test(
  "SIGTERM to the tour: it stops every example, exit 143",
  { timeout: 120_000 },
  async () => {
    const r = await interrupt((pid) => process.kill(pid, "SIGTERM"));
    assert.equal(r.code, 143, r.out);
    assert.match(r.out, /tour stopped \(SIGTERM\)/);
  },
);

test(
  "kill -9 of the tour: the guards still stop the examples",
  { timeout: 120_000 },
  async () => {
    const r = await interrupt((pid) => process.kill(pid, "SIGKILL"));
    assert.equal(r.signal, "SIGKILL");
  },
);

test(
  "the socket section runs on Deno and Bun too (server in the background, client against it)",
  { skip: !server && "no server example", timeout: 240_000 },
  async () => {
    const only = [server!, ...clients].map((f) => f.slice(0, 2)).join(",");
    // One runtime after the other: both at once, beside the other slow
    // tests, is more load than a 2-core machine carries in time.
    for (const runtime of ["deno", "bun"] as const) {
      const [bin, argv] = tour("--runtime", runtime, "--only", only, "--quick");
      const { stdout } = await run(bin, argv, {
        env,
        timeout: 110_000,
        maxBuffer: 32 * 1024 * 1024,
      }).catch((e: { message: string; stdout?: string; stderr?: string }) =>
        assert.fail(
          `${e.message}\n${e.stdout?.slice(-3000)}\n${e.stderr?.slice(-2000)}`,
        ),
      );
      assert.match(
        stdout,
        new RegExp(`the demo tour \\(\\d+ steps?, on ${runtime} `),
        stdout.slice(0, 300),
      );
      assert.match(stdout, /listening on 127\.0\.0\.1:\d+/);
      // The card shows the command a reader types (npx fetches Deno or Bun once).
      const typed = runtime === "deno" ? "npx deno run -A" : "npx bun";
      for (const f of clients)
        assert.ok(
          stdout.includes(`$ ${typed} examples/${f} `),
          stdout.slice(0, 2000),
        );
      for (const f of [server!, ...clients])
        assert.ok(
          stdout.includes(`✓ ${f.slice(0, -3)}\n`),
          `${f} on ${runtime}:\n${stdout.slice(-2000)}`,
        );
      assert.match(stdout, /all passed\n$/);
    }
  },
);

test(
  "tour --timeline passes --timeline on to the examples",
  { timeout: 60_000 },
  async () => {
    const [bin, argv] = tour("--only", files[0]!.slice(0, 2), "--timeline");
    const { stdout, stderr } = await run(bin, argv, { env, timeout: 50_000 });
    assert.ok(
      stdout.includes(`examples/${files[0]} --timeline\n`),
      "the card shows the flag",
    );
    assert.match(
      stderr,
      /^timeline: \d+ lanes? on one thread/m,
      `no timeline drawn:\n${stderr}`,
    );
    assert.match(stderr, /^Task-1 /m);
    // Not for the switch-cost benchmark: its timeline would hit the recording cap.
    const bench = files.find((f) => /-switch-cost\.ts$/.test(f));
    if (bench) {
      const [bin2, argv2] = tour(
        "--only",
        bench.slice(0, 2),
        "--timeline",
        "--no-pause",
      );
      const r = await run(bin2, argv2, { env, timeout: 50_000 });
      assert.ok(
        r.stdout.includes(`examples/${bench}\n`) &&
          !r.stdout.includes("--timeline"),
        r.stdout,
      );
      assert.doesNotMatch(r.stderr, /^timeline: /m, r.stderr);
    }
  },
);

// `script` (util-linux) gives the tour a terminal, so it waits for Enter.
const hasScript = (() => {
  try {
    return readFileSync("/usr/bin/script").length > 0;
  } catch {
    return false;
  }
})();

test(
  "on a terminal the tour waits for Enter before each step",
  { skip: !hasScript && "needs util-linux script", timeout: 60_000 },
  async () => {
    const first = files[0]!;
    const cmd = `${process.execPath} --import tsx scripts/tour.ts --only ${first.slice(0, 2)}`;
    const child = spawn("script", ["-qfec", cmd, "/dev/null"], {
      env: { ...env, TERM: "xterm" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    const exit = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    try {
      await waitUntil(
        "the Enter prompt",
        () => out.includes("Press Enter"),
        30_000,
      );
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(
        !out.includes(`✓ ${first.slice(0, -3)}`) && !/\n(Main|Task)/.test(out),
        `the step ran without Enter:\n${out}`,
      );
      child.stdin!.write("\r");
      await waitUntil(
        "the end of the tour",
        () => out.includes("tour done"),
        40_000,
      );
      assert.ok(out.includes(`✓ ${first.slice(0, -3)}`), out);
      assert.equal(await exit, 0);
    } finally {
      child.kill("SIGKILL");
    }
  },
);

test(
  "a failing step is reported, the tour goes on, and it exits 1",
  { timeout: 60_000 },
  async () => {
    // A scratch project beside the real one: the real lib and scripts, and
    // tiny examples, one of which fails and one a server that dies at once.
    const { dir, rm } = scratchTour({
      "01-fine": `console.log("fine");`,
      "02-fails": `console.log("about to fail"); process.exit(1);`,
      "03-server": `console.error("error: cannot listen"); process.exit(1);`,
      "04-client": `console.log("client ran");`,
      "05-after": `console.log("after ran");`,
    });
    const { join } = await import("node:path");
    try {
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", join(dir, "scripts/tour.ts")],
        { env, timeout: 50_000 },
      ).then(
        () => assert.fail("the tour should exit 1"),
        (e: { code: number; stdout: string; stderr: string }) => {
          assert.equal(e.code, 1, e.stdout);
          return e;
        },
      );
      assert.match(stdout, /✓ 01-fine\n/);
      assert.match(stdout, /✗ 02-fails exited with code 1\n/);
      assert.match(
        stdout,
        /✗ 03-server exited with code 1 before it was ready\n/,
      );
      assert.doesNotMatch(stdout, /client ran/, "no client without its server");
      assert.match(
        stdout,
        /after ran\n✓ 05-after\n/,
        "the tour goes on after a failure",
      );
      assert.match(stdout, /tour done: 2 failed \(02-fails, 03-server\)\n$/);
    } finally {
      rm();
    }
  },
);
