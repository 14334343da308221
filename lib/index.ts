export * from "./task.ts";
export * from "./timeout.ts";
export * from "./pool.ts";
export * from "./blocking.ts";
export * from "./timeline.ts";
