/**
 * Turns on the demo apparatus from environment variables, for any
 * program, without changing it:
 *
 *   XIECHENG_TIMELINE=1 npx tsx --import ./examples/support/preload.ts examples/06-server.ts
 *   XIECHENG_BLOCKING=1 npx tsx --import ./examples/support/preload.ts my-program.ts
 *
 * - `XIECHENG_TIMELINE=1`: at exit, draw who ran when (stderr);
 *   `XIECHENG_TIMELINE=FILE.svg`: write it to FILE.svg as a picture.
 * - `XIECHENG_BLOCKING=1`: report a task that holds the thread longer
 *   than `XIECHENG_BLOCKING_MS` (default 100 ms).
 *
 * The examples that use ./cli.ts read the same variables themselves.
 */
import { applyEnv } from "./env.ts";

applyEnv();
