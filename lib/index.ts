export * from "./task.ts";
export * from "./timeout.ts";
export * from "./pool.ts";
export * from "./socket.ts";
export * from "./blocking.ts";
export * from "./timeline.ts";
