// Runs lib/startup.ts's startup() in a process of its own, as instrumentation.ts
// does when a server starts, so a test can watch it refuse (exit code 1) or
// carry on. Needs React's server condition (for "server-only") and tsx:
//   node --conditions=react-server --import tsx lib/testing/run-startup.ts
import { startup } from "@/lib/startup";

await startup();
console.log("[run-startup] startup returned");
// The database client and the housekeeping timer would keep the process alive.
process.exit(0);
