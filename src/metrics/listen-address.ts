// --metrics-listen's value, checked by config.ts and used by metrics/listener.ts.

/** "127.0.0.1:9280", "[::1]:9280", ":9280" (all interfaces) → host and port. */
export function parseListen(value: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? (m[2] || "0.0.0.0"), port };
}
