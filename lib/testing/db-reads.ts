import type { CommandStartedEvent, Document } from "mongodb";

import { getClient, getDb } from "@/lib/db";

/** The read commands `fn` sends through the app's own client (which monitors commands for its slow-command log). */
export async function readsDuring(fn: () => Promise<unknown>): Promise<Document[]> {
  await getDb();
  const client = getClient();
  const seen: Document[] = [];
  const listener = (e: CommandStartedEvent) => {
    if (["find", "aggregate", "count", "distinct"].includes(e.commandName)) seen.push(e.command);
  };
  client.on("commandStarted", listener);
  try {
    await fn();
  } finally {
    client.off("commandStarted", listener);
  }
  return seen;
}
