// Smoke test of `npm run bench` in its tiny configuration, so that the
// benchmark cannot rot. No timing is asserted: only that every part ran
// and every reply was right.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { descendants, processes } from "./procs.ts";

const run = promisify(execFile);
const geventOk = (() => {
  try {
    execFileSync("/usr/bin/python3", ["-c", "import gevent"], {
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
})();
const bench = (args: string[]) =>
  run(process.execPath, ["--import", "tsx", "scripts/bench.ts", ...args], {
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" },
    timeout: 120_000,
  });

test(
  "npm run bench -- --quick: every server, the spawn and the timing benches run, every reply is right",
  { timeout: 150_000 },
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "xiecheng-bench-"));
    try {
      const file = path.join(dir, "results.json");
      const { stdout, stderr } = await bench(["--quick", "--json", file]);
      const r = JSON.parse(readFileSync(file, "utf8"));
      const servers = new Set(
        r.trials.map((t: { server: string }) => t.server),
      );
      assert.ok(
        servers.has("baseline") && servers.has("floor") && servers.has("lib"),
        `servers measured: ${[...servers].join(", ")}`,
      );
      // gevent is measured wherever /usr/bin/python3 has it (the project's
      // own scripts/gevent-echo-server.py: no copy of the note needed).
      assert.equal(
        servers.has("gevent"),
        geventOk,
        `servers measured: ${[...servers].join(", ")}`,
      );
      if (!geventOk)
        assert.match(
          stderr,
          /^gevent skipped: .*apt-get install -y python3-gevent/m,
        );
      for (const t of r.trials) {
        assert.ok(t.replies > 0, `${t.server}: no replies`);
        assert.equal(t.wrong, 0, `${t.server}: wrong replies`);
        assert.equal(
          t.errors + t.failedConnects,
          0,
          `${t.server}: errors ${JSON.stringify(t.errorKinds)}`,
        );
        assert.ok(
          t.cpuUsPerReply > 0 && t.peakBytes > 0,
          `${t.server}: CPU and memory are read from /proc`,
        );
        // Ours exit 0 on SIGTERM; the lib server may also just die of it.
        const stopped =
          t.exitCode === 0 ||
          (t.server === "lib" && t.exitSignal === "SIGTERM");
        assert.ok(
          stopped,
          `${t.server} stops on SIGTERM: exit code ${t.exitCode}, signal ${t.exitSignal}`,
        );
      }
      assert.deepEqual(r.spawn.map((s: { mode: string }) => s.mode).sort(), [
        "bare",
        "lib",
      ]);
      for (const s of r.spawn)
        assert.ok(s.ms > 0 && s.bytesPerTask > 0 && s.tasks === 10_000);
      assert.deepEqual(
        r.spawnHeap.map((s: { mode: string }) => s.mode).sort(),
        ["bare", "lib"],
      );
      for (const s of r.spawnHeap)
        assert.ok(s.heapPerTask > 0, "live heap per task");
      assert.equal(r.timing.lib.length, 3);
      assert.equal(r.timing.bare.length, 3);
      assert.equal(r.timing.gevent.length, geventOk ? 3 : 0);
      // (Node timers use a millisecond clock: they may fire up to 1 ms early.)
      for (const ms of [...r.timing.lib, ...r.timing.bare])
        assert.ok(
          ms >= r.timing.longestMs - 1.5,
          `${ms} ms is shorter than the longest sleep`,
        );
      // The terminal report: the table, the chart and the targets, each
      // met or missed by how much; no stack trace, no project bookkeeping.
      assert.match(stdout, /^bare node:net\s+20\s/m);
      assert.match(stdout, /^06-server \(lib\)\s+20\s/m);
      assert.match(stdout, /CPU\/reply over floor .*x \(target <= 1\.1x\)/);
      assert.match(stdout, /^ratio\s/m);
      const targets = stdout
        .slice(stdout.indexOf("Targets (the lib's)"))
        .split("\n\n")[0]!
        .split("\n")
        .slice(1);
      const expected = [
        /^ {2}- 20 conns: CPU per reply over the floor's: /,
        /^ {2}- 20 conns: replies\/s over gevent's: /,
        /^ {2}- 10,000 sleeping tasks: time over bare promises': /,
        /^ {2}- 10,000 sleeping tasks: peak memory over bare's: /,
        /^ {2}- timing demo: [\d.]+ ms (over|under) bare setTimeout \(target <= 1 ms\): /,
      ];
      assert.equal(targets.length, expected.length, stdout);
      targets.forEach((line, i) => assert.match(line, expected[i]!));
      for (const line of targets) {
        if (line.includes("replies/s over gevent's") && !geventOk)
          assert.match(
            line,
            /not judged .*apt-get install -y python3-gevent\)$/,
          );
        else
          assert.match(
            line,
            /: (met|missed by \d+%|missed by [\d.]+ ms)$/,
            line,
          );
      }
      assert.doesNotMatch(stdout + stderr, /issue|^\s+at /im);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("bench: --help exits 0; a bad option is one line and exit code 2", async () => {
  const { stdout } = await bench(["--help"]);
  assert.match(stdout, /^Usage: npm run bench/);
  await assert.rejects(
    bench(["--rounds", "zero"]),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2);
      assert.equal(
        e.stderr,
        "error: Expected `--rounds` to be an integer >= 1, got `zero`\n",
      );
      return true;
    },
  );
});

test("bench: SIGTERM mid-run stops every server and load driver it started, exit 143", async () => {
  const { spawn } = await import("node:child_process");
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/bench.ts", "--quick", "--json", "/dev/null"],
    { env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" } },
  );
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", r));
  try {
    const deadline = Date.now() + 60_000;
    let started = descendants(child.pid!);
    while (!started.some((p) => /bench-(load|floor|baseline)/.test(p.cmd))) {
      if (Date.now() > deadline) assert.fail(`no server started:\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
      started = descendants(child.pid!);
    }
    child.kill("SIGTERM");
    assert.equal(await exited, 143, err);
    assert.match(
      err,
      /^bench: stopped by SIGTERM; nothing it started runs on$/m,
    );
    await new Promise((r) => setTimeout(r, 500));
    const live = new Set(processes().map((p) => p.pid));
    const left = started.filter((p) => live.has(p.pid));
    assert.deepEqual(left, [], "still running after the bench stopped");
  } finally {
    child.kill("SIGKILL");
  }
});
