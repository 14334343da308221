import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

// Runs a tiny program built on examples/support/cli.ts with the given arguments.
function run(...args: string[]) {
  return spawnSync(
    process.execPath,
    ["--import", "tsx", "test/fixtures/cli-demo.ts", ...args],
    { encoding: "utf8" },
  );
}

test("values and defaults are parsed", () => {
  assert.equal(run().stdout, "8080 3\n");
  assert.equal(run("--port", "0", "--duration=1.5").stdout, "0 1.5\n");
});

test("a negative value reaches the range check instead of an 'ambiguous' error", () => {
  for (const args of [["--duration", "-1"], ["--duration=-1"]]) {
    const r = run(...args);
    assert.equal(r.status, 2);
    assert.equal(
      r.stderr,
      "error: Expected `--duration` to be a number >= 0, got `-1`\n",
    );
  }
  const r = run("--port", "-5");
  assert.equal(
    r.stderr,
    "error: Expected `--port` to be an integer from 0 to 65535, got `-5`\n",
  );
});

test("an unknown option or a bad value: one line, exit 2, no stack", () => {
  const r = run("--nope");
  assert.equal(r.status, 2);
  assert.equal(r.stderr, "error: Unknown option '--nope' (try --help)\n");
  const bad = run("--port", "abc");
  assert.equal(bad.status, 2);
  assert.equal(
    bad.stderr,
    "error: Expected `--port` to be an integer from 0 to 65535, got `abc`\n",
  );
});

test("--help prints usage, about and every option with its default", () => {
  const r = run("--help");
  assert.equal(r.status, 0);
  assert.match(r.stdout, /^Usage: demo \[options\]\n\nA demo\.\n\nOptions:\n/);
  assert.match(r.stdout, /--port <value> +port \(default: 8080\)/);
  assert.match(r.stdout, /-h, --help +show this help/);
});

test("oneLine: control characters escaped, a long quoted value cut in the middle, 80 columns", async () => {
  const { oneLine } = await import("../examples/support/cli.ts");
  assert.equal(
    oneLine("error: got `a\nb\x1b[2m\t`"),
    "error: got `a\\nb\\x1b[2m\\t`",
  );
  const long = oneLine(
    `error: Expected \`--port\` to be an integer, got \`${"1".repeat(60_000)}2${"3".repeat(60_000)}\``,
  );
  assert.ok([...long].length <= 80, long);
  assert.match(
    long,
    /^error: Expected `--port` to be an integer, got `1+\.\.\.3+`$/,
  );
  assert.equal(oneLine("short line"), "short line");
});

test("numbers are decimal: 0x10 and 1e3 are refused (whole numbers: digits only)", () => {
  const port = run("--port", "+80");
  assert.equal(port.status, 2);
  assert.equal(
    port.stderr,
    "error: Expected `--port` to be an integer from 0 to 65535, got `+80`\n",
  );
  for (const v of ["0x10", "1e3"]) {
    const r = run("--duration", v);
    assert.equal(r.status, 2, v);
    assert.equal(
      r.stderr,
      `error: Expected \`--duration\` to be a number >= 0, got \`${v}\`\n`,
    );
  }
});

test("names(): three names and a count, fewer names where the line would pass 80 columns", async () => {
  const { names } = await import("../examples/support/chart.ts");
  assert.equal(names(["Task-1", "Task-2"]), "Task-1, Task-2");
  const many = Array.from({ length: 177 }, (_, i) => `Thread-${i + 15}`);
  assert.equal(names(many), "Thread-15, Thread-16, Thread-17 and 174 more");
  const what = "never started (the run ended first)";
  const line = `${what}: ${names(many, 78 - what.length)}`;
  assert.ok([...line].length <= 80, line);
  assert.match(line, /: Thread-15, Thread-16 and 175 more$/);
  assert.equal(names(many, 5), "Thread-15 and 176 more"); // one name at least
});
