// The README's "Use the lib in your project", done as a reader would:
// an empty folder, a copy of lib/, a package.json with "type": "module",
// the README's echo server (read from the README, so the two cannot
// drift), run with tsx, and a Python client that checks every reply
// byte for byte. 127.0.0.1 only; port 0; the server is killed at the end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { matchOutput } from "./expect.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX = import.meta.resolve("tsx"); // the repo's tsx, as a loader for `node --import`
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The README's section "## Use the lib in your project", up to the next "## ". */
function section(): string {
  const start = readme.search(/^## Use the lib in your project\s*$/m);
  assert.ok(
    start >= 0,
    'README.md has no "## Use the lib in your project" section',
  );
  const rest = readme.slice(start + 1);
  const next = rest.search(/^## /m);
  return next < 0 ? rest : rest.slice(0, next);
}

/** The first fenced block of `lang` in that section whose text passes `pick`. */
function block(
  lang: string,
  pick: (code: string) => boolean = () => true,
): string {
  for (const [, code] of section().matchAll(
    new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```$", "gm"),
  )) {
    if (pick(code!)) return code!;
  }
  assert.fail(
    `README.md's "Use the lib in your project" has no \`\`\`${lang} block like that`,
  );
}

const serverCode = () => block("ts", (c) => c.startsWith("// server.ts"));

/** A fresh folder holding a copy of lib/, the README's server and a package.json. */
function project(pkg: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "xiecheng-copy-"));
  cpSync(path.join(ROOT, "lib"), path.join(dir, "lib"), { recursive: true });
  writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "my-echo", private: true, ...pkg }, null, 2),
  );
  writeFileSync(path.join(dir, "server.ts"), serverCode());
  return dir;
}

function python(): string | false {
  try {
    execFileSync("python3", ["-c", "import socket, threading"], {
      stdio: "ignore",
    });
    return false;
  } catch {
    return "no python3 on PATH";
  }
}

// 20 connections at once, each sending messages of every kind (all 256
// byte values, UTF-8, 5,000 bytes) and reading back exactly as many
// bytes, which must equal Python's bytes.upper() of what it sent.
const CLIENT = String.raw`
import socket, sys, threading
port = int(sys.argv[1])
msgs = [b"hello", bytes(range(256)), "héllo wörld ß 协程".encode(), b"x" * 5000, b"MiXeD 123 {}~"]
bad = []
def client(n):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            for m in msgs:
                m = m + b" #%d" % n
                s.sendall(m)
                got = b""
                while len(got) < len(m):
                    chunk = s.recv(65536)
                    if not chunk:
                        raise EOFError("closed after %d bytes" % len(got))
                    got += chunk
                want = m.upper()
                if got != want:
                    i = next(i for i in range(len(want)) if got[i] != want[i])
                    bad.append("conn %d, byte %d: want %r, got %r" % (n, i, want[i:i+12], got[i:i+12]))
            s.shutdown(socket.SHUT_WR)
            if s.recv(1) != b"":
                bad.append("conn %d: not closed after the client's end" % n)
    except Exception as e:
        bad.append("conn %d: %r" % (n, e))
threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
for t in threads: t.start()
for t in threads: t.join()
for line in bad[:5]: print(line)
print("right replies:", 20 * len(msgs) - len(bad))
`;

test(
  "README's echo server, copied with lib/ into an empty folder, answers a Python client byte for byte",
  { skip: python(), timeout: 60_000 },
  async () => {
    const dir = project({ type: "module" });
    const server = spawn(
      process.execPath,
      ["--import", TSX, "server.ts", "0"],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    server.stdout.on("data", (d: Buffer) => (out += d));
    server.stderr.on("data", (d: Buffer) => (err += d));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no "listening on" line within 20 s:\n${out}${err}`),
            ),
          20_000,
        );
        server.stdout.on("data", () => {
          const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        server.on("exit", (code) => {
          clearTimeout(timer);
          reject(
            new Error(
              `the server exited (${code}) before listening:\n${out}${err}`,
            ),
          );
        });
      });
      assert.ok(port > 0 && port < 65536, `port ${port}`);
      const { stdout } = await run("python3", ["-c", CLIENT, String(port)], {
        timeout: 40_000,
      });
      assert.equal(stdout, "right replies: 100\n");
      assert.equal(
        server.exitCode,
        null,
        "the server is still running after its clients left",
      );
      assert.equal(err, "", "nothing on the server's stderr");
    } finally {
      server.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  'without "type": "module" (npm\'s default) the server fails to start, as README says',
  { timeout: 60_000 },
  async () => {
    const dir = project({ type: "commonjs" });
    try {
      const failed = await run(
        process.execPath,
        ["--import", TSX, "server.ts", "0"],
        { cwd: dir, timeout: 30_000 },
      ).then(
        () => assert.fail("the server started in a commonjs package"),
        (e: { code?: number; stderr?: string }) => e,
      );
      assert.notEqual(failed.code, 0);
      assert.match(
        failed.stderr ?? "",
        /Top-level await is currently not supported with the "cjs" output format/,
      );
      assert.ok(
        section().includes(
          'Top-level await is currently not supported with the "cjs" output format',
        ),
        "README quotes the error",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "README's tsconfig.json type-checks the copied lib/ and the server",
  { timeout: 60_000 },
  async () => {
    const dir = project({ type: "module" });
    try {
      writeFileSync(
        path.join(dir, "tsconfig.json"),
        block("json", (c) => c.includes('"compilerOptions"')),
      );
      // typescript and @types/node, as `npm install --save-dev` would give them.
      symlinkSync(
        path.join(ROOT, "node_modules"),
        path.join(dir, "node_modules"),
        "dir",
      );
      const tsc = path.join(ROOT, "node_modules", ".bin", "tsc");
      const result = await run(tsc, ["-p", dir], {
        cwd: dir,
        timeout: 50_000,
      }).catch((e: { stdout?: string; code?: number }) => e);
      assert.equal(
        (result as { code?: number }).code ?? 0,
        0,
        `tsc found errors:\n${(result as { stdout?: string }).stdout}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test("README.zh-CN.md shows the same echo server as README.md, character for character", () => {
  const zh = readFileSync(path.join(ROOT, "README.zh-CN.md"), "utf8");
  const m = /^```ts\n(\/\/ server\.ts[\s\S]*?)^```$/m.exec(zh);
  assert.ok(m, "README.zh-CN.md has no ```ts block starting with // server.ts");
  assert.equal(
    m[1],
    serverCode(),
    "the Chinese README's server differs from the English one (the tested one)",
  );
});

// The note's three programs need nothing from the lib but core.ts: each
// example is copied into an empty folder with the local files it imports
// (its options come from examples/support/), and lib/core.ts alone;
// `../lib/index.ts` becomes `../lib/core.ts`.
const CORE = readFileSync(path.join(ROOT, "lib", "core.ts"), "utf8");
const coreExports = new Set(
  [...CORE.matchAll(/^export (?:const|let|function|class) (\w+)/gm)].map(
    (m) => m[1],
  ),
);

/** Copies examples/<name> and what it imports; returns what core lacks. */
function copyExample(dir: string, name: string): string[] {
  const missing: string[] = [];
  const copy = (file: string) => {
    const to = path.join(dir, path.relative(ROOT, file));
    if (existsSync(to)) return;
    mkdirSync(path.dirname(to), { recursive: true });
    let text = readFileSync(file, "utf8");
    writeFileSync(to, ""); // copied already, for imports that go round
    const imports = /^import\s+(type\s+)?([^;]*?)\s*from\s+"(\.[^"]+)";/gm;
    for (const [, onlyTypes, what, spec] of text.matchAll(imports)) {
      const target = path.resolve(path.dirname(file), spec!);
      if (path.dirname(target) !== path.join(ROOT, "lib")) copy(target);
      else if (!onlyTypes)
        for (const n of what!.replace(/[{}\s]/g, "").split(","))
          if (n && !n.startsWith("type") && !coreExports.has(n))
            missing.push(n);
    }
    text = text.replaceAll(/(\/lib\/)index\.ts"/g, '$1core.ts"');
    writeFileSync(to, text);
  };
  copy(path.join(ROOT, "examples", name));
  mkdirSync(path.join(dir, "lib"), { recursive: true });
  writeFileSync(path.join(dir, "lib", "core.ts"), CORE);
  writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
  return missing;
}

test(
  "01 runs with lib/core.ts alone in an empty folder, output as expected",
  { timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "xiecheng-core-"));
    try {
      assert.deepEqual(copyExample(dir, "01-coroutines.ts"), []);
      const { stdout } = await run(
        process.execPath,
        ["--import", TSX, "examples/01-coroutines.ts"],
        { cwd: dir, timeout: 30_000 },
      );
      const want = readFileSync(
        path.join(ROOT, "examples", "01-coroutines.out"),
        "utf8",
      );
      assert.equal(matchOutput(want, stdout), undefined, stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "06 and 07, the note's server and client, with lib/core.ts alone: every client answered",
  { timeout: 90_000 },
  async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), "xiecheng-core-"));
    const missing = [
      ...copyExample(dir, "06-server.ts"),
      ...copyExample(dir, "07-client.ts"),
    ];
    if (missing.length > 0) {
      rmSync(dir, { recursive: true, force: true });
      return t.skip(`06/07 still import ${missing.join(", ")} (not in core)`);
    }
    const server = spawn(
      process.execPath,
      ["--import", TSX, "examples/06-server.ts", "--port", "0"],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    server.stdout.on("data", (d: Buffer) => (out += d));
    server.stderr.on("data", (d: Buffer) => (out += d));
    try {
      const port = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(out)), 20_000);
        server.stdout.on("data", () => {
          const m = /^listening on 127\.0\.0\.1:(\d+)$/m.exec(out);
          if (m) resolve(m[1]!);
        });
        server.on("exit", () => reject(new Error(out)));
        timer.unref();
      });
      const args = ["--port", port, "--clients", "20", "--duration", "1"];
      const client = await run(
        process.execPath,
        ["--import", TSX, "examples/07-client.ts", ...args],
        { cwd: dir, timeout: 40_000 },
      );
      assert.match(client.stdout, /^TASK-\d+ SAY HELLO$/m);
      assert.equal(server.exitCode, null, `the server is still up:\n${out}`);
    } finally {
      server.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

// The apparatus watches tasks through one slot per process (on
// globalThis), so the preload, which loads examples/support/ with the
// lib beside it, still sees the tasks of a copy of lib/ in a project.
test(
  "the preload's timeline and blocking detector see the tasks of a copied lib/",
  { timeout: 60_000 },
  async () => {
    const dir = project({ type: "module" });
    writeFileSync(
      path.join(dir, "prog.ts"),
      [
        'import { join, sleep, spawn } from "./lib/index.ts";',
        "const hog = spawn(function hog() {",
        "  const end = performance.now() + 300;",
        "  while (performance.now() < end);",
        "});",
        "const nap = spawn(async function nap() {",
        "  await sleep(50);",
        "});",
        "await join(hog);",
        "await join(nap);",
        "",
      ].join("\n"),
    );
    const preload = path.join(ROOT, "examples", "support", "preload.ts");
    try {
      const { stderr } = await run(
        process.execPath,
        ["--import", TSX, "--import", preload, "prog.ts"],
        {
          cwd: dir,
          timeout: 30_000,
          env: {
            ...process.env,
            NO_COLOR: "1",
            XIECHENG_TIMELINE: "1",
            XIECHENG_BLOCKING: "1",
          },
        },
      );
      assert.match(stderr, /^timeline: 3 lanes on one thread/m);
      assert.match(stderr, /^Task-1 \(hog\) +\|.*\| ran \d+ ms/m);
      assert.match(stderr, /^Task-2 \(nap\) +\|/m);
      assert.match(stderr, /^\[blocking\] Task-1 \(hog\) blocked the thread/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
