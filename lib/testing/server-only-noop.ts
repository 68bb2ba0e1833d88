// Vitest runs lib/ in plain Node, where the real "server-only" package throws on import.
export {};
