// Lint rules, checked by `npm test` (`npm run lint`). The one that matters
// most to a learner: no-floating-promises, which flags `sleep(3000)` written
// without `await` (the program would not wait at all).
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["node_modules/", "bench-results/", "exp/"] },
  tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mts"],
    languageOptions: {
      parserOptions: { projectService: true },
    },
    rules: {
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // Also `task.kill()`, `killAll()`, `pool.kill()`, `pool.spawn()`:
          // switch points that return a PromiseLike, not a Promise.
          checkThenables: true,
          allowForKnownSafeCalls: [
            {
              from: "package",
              package: "node:test",
              name: ["test", "describe", "it", "suite"],
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      // `let b; const a = spawn(() => join(b)); b = spawn(...)`: a task
      // that refers to one spawned after it.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
      // An async callback for setTimeout or an event is a task's own
      // business here; the check that matters is the floating promise.
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: false },
      ],
    },
  },
  {
    // The paired gevent programs leave some waits un-awaited on purpose:
    // that is the behaviour they compare.
    files: ["test/conformance/**"],
    rules: { "@typescript-eslint/no-floating-promises": "off" },
  },
);
