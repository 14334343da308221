// The examples on Deno and Bun, the pinned releases that npx fetches on
// first use (scripts/runtimes.ts): every example with an .out gives the
// same output as on Node; every example's --help and bad option behave
// (test/manners.ts); and the parts of the socket examples that lean
// hardest on Node's APIs: 08-server-pool-workers --workers (node:cluster)
// and 09-client-threads --threads (worker_threads). The tour's socket
// section on both is in test/tour.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import {
  commandFor,
  findRuntime,
  missingRuntime,
  runtimeEnv,
} from "../scripts/runtimes.ts";
import { matchOutput } from "./expect.ts";
import { checkManners, examples } from "./manners.ts";

const execFileP = promisify(execFile);
const env = runtimeEnv({ ...process.env, NO_COLOR: "1" });
delete env.FORCE_COLOR;
const SERVER = "examples/08-server-pool-workers.ts";
const CLIENT = "examples/09-client-threads.ts";
const hasSocketExamples = existsSync(SERVER) && existsSync(CLIENT);

for (const name of ["deno", "bun"] as const) {
  test(`${name}: every example with an .out prints what it says`, async (t) => {
    const runtime = findRuntime(name);
    assert.ok(runtime, missingRuntime(name));
    // One at a time: 04 and 05 measure threads and processes against
    // each other, which two examples at once on two cores would skew.
    for (const file of examples) {
      const src = readFileSync(file, "utf8");
      if (/\n \* @output none/.test(src)) continue;
      await t.test(file, async () => {
        const [bin, ...args] = commandFor(runtime, file);
        const { stdout } = await execFileP(bin, args, {
          env,
          timeout: 120_000,
          maxBuffer: 16 * 1024 * 1024,
        });
        const expected = readFileSync(file.replace(/\.ts$/, ".out"), "utf8");
        const problem = matchOutput(expected, stdout);
        assert.equal(
          problem,
          undefined,
          `on ${runtime.version}: ${problem}\n--- actual output ---\n${stdout}`,
        );
      });
    }
  });

  test(
    `${name}: --help and a bad option on every example`,
    { concurrency: 3 },
    async (t) => {
      assert.ok(findRuntime(name), missingRuntime(name));
      await Promise.all(
        examples.map((file) =>
          t.test(file, async () => {
            await checkManners(name, file);
          }),
        ),
      );
    },
  );

  test(
    `${name}: 08-server --workers 2 serves 09-client --threads, and stops cleanly`,
    { skip: !hasSocketExamples && "no socket examples", timeout: 90_000 },
    async () => {
      const runtime = findRuntime(name);
      assert.ok(runtime, missingRuntime(name));
      const [bin, ...args] = commandFor(runtime, SERVER, [
        "--port",
        "0",
        "--workers",
        "2",
      ]);
      const server = spawn(bin, args, {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      server.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const lines: string[] = [];
      const exited = new Promise<number | null>((resolve) =>
        server.on("exit", (code) => resolve(code)),
      );
      try {
        const port = await new Promise<number>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no ready line in 30 s\n${stderr}`)),
            30_000,
          );
          createInterface({ input: server.stdout }).on("line", (line) => {
            lines.push(line);
            const m = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
            if (m) {
              clearTimeout(timer);
              resolve(Number(m[1]));
            }
          });
          void exited.then((code) =>
            reject(new Error(`the server exited with ${code}\n${stderr}`)),
          );
        });
        const [cbin, ...cargs] = commandFor(runtime, CLIENT, [
          "--port",
          String(port),
          "--threads",
          "--clients",
          "4",
          "--duration",
          "1",
        ]);
        const client = await execFileP(cbin, cargs, { env, timeout: 60_000 });
        assert.match(client.stdout, /^clients: 4 threads, 4 connected/m);
        assert.match(client.stdout, /^errors: none$/m);
        assert.match(client.stdout, /^wrong replies: 0$/m);
        server.kill("SIGINT");
        assert.equal(await exited, 0, stderr);
        const served =
          /stopped: (\d+) connections served, [\d,]+ bytes echoed by 2 workers/.exec(
            lines.join("\n"),
          );
        assert.ok(
          served && Number(served[1]) >= 4,
          `no summary of the 4 connections:\n${lines.join("\n")}`,
        );
        assert.doesNotMatch(
          stderr,
          /Error|\n\s+at /,
          `no error or stack trace on stderr:\n${stderr}`,
        );
      } finally {
        server.kill("SIGKILL");
      }
    },
  );
}
