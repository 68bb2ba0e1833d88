// Runs once when a server process starts (next start, next dev, each Vercel instance).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startup } = await import("@/lib/startup");
  await startup();
}
