// Signed-in people for access tests: an admin and a viewer, each with a session cookie.
import type { TestApp } from "./app.ts";

export const ORIGIN = "http://localhost";

export async function signIn(t: TestApp, email: string, password: string): Promise<string> {
  const res = await t.request("POST", "/api/auth/login", { key: null, body: { email, password }, headers: { origin: ORIGIN } });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return `inlet_session=${/inlet_session=([^;]*)/.exec(res.headers.get("set-cookie")!)![1]}`;
}

/** Creates an admin and a viewer and signs both in; the values are Cookie header values. */
export async function people(t: TestApp): Promise<{ admin: string; viewer: string; viewerId: string }> {
  await t.ctx.users.create({ email: "admin@example.com", password: "admin password", role: "admin" });
  const viewer = await t.ctx.users.create({ email: "viewer@example.com", password: "viewer password", role: "viewer" });
  return {
    admin: await signIn(t, "admin@example.com", "admin password"),
    viewer: await signIn(t, "viewer@example.com", "viewer password"),
    viewerId: viewer.id,
  };
}
