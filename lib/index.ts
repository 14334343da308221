export * from "./task.ts";
export * from "./timeout.ts";
export * from "./pool.ts";
export * from "./socket.ts";
