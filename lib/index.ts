// Everything: the core (read lib/core.ts first) and the add-ons on it.
export * from "./core.ts";
export * from "./kill.ts";
export * from "./timeout.ts";
export * from "./joinall.ts";
export * from "./pool.ts";
import "./reports.ts";
