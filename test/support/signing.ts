// The cases every verification scheme must pass, run against a webhook through the front door:
// signed right (with the old secret and the new one), signed wrong, tampered, unsigned, and stale.
import { describe, expect, test } from "bun:test";
import { createTestApp, fixedClock, type TestApp } from "./app.ts";
import { createWebhook, FAILED, hook, storedEvents } from "./hooks.ts";

/**
 * Bytes that re-serialising would change: odd whitespace, CRLF, an escaped and a literal é, an
 * escaped slash, an emoji and a float written `1.0`.
 */
export const AWKWARD_BODY = '{ "text" :\t"caf\\u00e9 café \\/ 🎉" ,\r\n  "n": 1.0,"list":[ 1 ,2 ] }\r\n';

export const SIGNED_TEMPLATE = '{"event": "signed.request", "resource": {"prefect.resource.id": "sender"}}';

/** Signs `body` as the sender would with `secret` at Unix time `timestamp`; answers the headers to send. */
export type Signer = (body: string, secret: string, timestamp: number) => Promise<Record<string, string>>;

export interface SchemeCase {
  /** The webhook's verification, without secrets. */
  verification: Record<string, unknown>;
  sign: Signer;
  /** Two secrets in the shape this scheme takes: the old one and the new one. */
  secrets: [string, string];
  /** The headers holding the signature, the signature itself first (left out for "missing header"). */
  signatureHeaders: string[];
  /** False for a plain token (GitLab's), which covers no byte of the body. */
  coversBody?: boolean;
  /** Whether a signed timestamp is checked against a window. */
  timestamped: boolean;
  contentType?: string;
}

export const clockStart = Date.parse("2026-03-04T05:06:07.000Z");
export const nowSeconds = (t: { ctx: { clock: { now(): number } } }) => Math.floor(t.ctx.clock.now() / 1000);

export async function signedWebhook(c: SchemeCase, extra: Record<string, unknown> = {}) {
  const clock = fixedClock(clockStart);
  const t = createTestApp({ clock });
  const w = await createWebhook(t, { template: SIGNED_TEMPLATE, verification: { ...c.verification, secrets: c.secrets }, ...extra });
  return { t, w, clock };
}

export function send(t: TestApp, slug: string, body: string, headers: Record<string, string>, contentType = "application/json") {
  return hook(t, slug, { body, headers: { "content-type": contentType, ...headers } });
}

/** Only failure events were stored, each for `reason`, and none holds `secrets` or `expected`. */
export function expectRefused(t: TestApp, reason: string, forbidden: string[]) {
  const events = storedEvents(t);
  expect(events.length).toBeGreaterThan(0);
  for (const e of events) {
    expect(e.event).toBe(FAILED);
    expect(e.payload.reason).toBe(reason);
  }
  const everything = JSON.stringify(t.ctx.db.$client.query("SELECT * FROM events").all());
  for (const s of forbidden) expect(everything).not.toContain(s);
}

const tamper = (body: string) => body.replace("1.0", "1.1");

export function schemeSuite(name: string, c: SchemeCase) {
  const type = c.contentType ?? "application/json";
  describe(`${name}: the common cases`, () => {
    test.each([
      ["the new secret", 1],
      ["the old secret", 0],
    ] as const)("an awkward body signed with %s → 204, stored with its bytes as sent", async (_, which) => {
      const { t, w } = await signedWebhook(c);
      const headers = await c.sign(AWKWARD_BODY, c.secrets[which], nowSeconds(t));
      expect((await send(t, w.slug, AWKWARD_BODY, headers, type)).status).toBe(204);
      const [event] = storedEvents(t);
      expect(storedEvents(t)).toHaveLength(1);
      expect(event!.event).toBe("signed.request");
      if (type === "application/json") expect(event!.payload.body).toEqual(JSON.parse(AWKWARD_BODY));
    });

    test("a wrong secret → 401 signature_invalid; no event, and neither secret nor the expected signature kept", async () => {
      const { t, w } = await signedWebhook(c);
      const wrong = await c.sign(
        AWKWARD_BODY,
        c.secrets[1].replace(/.$/, (ch) => (ch === "A" ? "B" : "A")),
        nowSeconds(t),
      );
      const right = await c.sign(AWKWARD_BODY, c.secrets[1], nowSeconds(t));
      const res = await send(t, w.slug, AWKWARD_BODY, wrong, type);
      expect(res.status).toBe(401);
      expect(await res.text()).toBe("");
      expectRefused(t, "signature_invalid", [...c.secrets, right[c.signatureHeaders[0]!]!]);
    });

    if (c.coversBody !== false) {
      test("one tampered byte → 401 signature_invalid, nothing stored", async () => {
        const { t, w } = await signedWebhook(c);
        const headers = await c.sign(AWKWARD_BODY, c.secrets[1], nowSeconds(t));
        expect((await send(t, w.slug, tamper(AWKWARD_BODY), headers, type)).status).toBe(401);
        expectRefused(t, "signature_invalid", c.secrets);
      });
    }

    test("no signature header → 401 signature_invalid, nothing stored", async () => {
      const { t, w } = await signedWebhook(c);
      const headers = await c.sign(AWKWARD_BODY, c.secrets[1], nowSeconds(t));
      for (const h of c.signatureHeaders) delete headers[h];
      expect((await send(t, w.slug, AWKWARD_BODY, headers, type)).status).toBe(401);
      expectRefused(t, "signature_invalid", c.secrets);
    });

    if (c.timestamped) {
      test("signed 301 s ago → 401 timestamp_out_of_window; 299 s ago → 204", async () => {
        const { t, w } = await signedWebhook(c);
        const stale = await c.sign(AWKWARD_BODY, c.secrets[1], nowSeconds(t) - 301);
        expect((await send(t, w.slug, AWKWARD_BODY, stale, type)).status).toBe(401);
        expectRefused(t, "timestamp_out_of_window", c.secrets);
        const fresh = await c.sign(AWKWARD_BODY, c.secrets[1], nowSeconds(t) - 299);
        expect((await send(t, w.slug, AWKWARD_BODY, fresh, type)).status).toBe(204);
      });

      test("tolerance_seconds widens the window", async () => {
        const { t, w } = await signedWebhook({ ...c, verification: { ...c.verification, tolerance_seconds: 3600 } });
        const old = await c.sign(AWKWARD_BODY, c.secrets[1], nowSeconds(t) - 3000);
        expect((await send(t, w.slug, AWKWARD_BODY, old, type)).status).toBe(204);
        const older = await c.sign(AWKWARD_BODY, c.secrets[1], nowSeconds(t) - 3700);
        expect((await send(t, w.slug, AWKWARD_BODY, older, type)).status).toBe(401);
      });
    }
  });
}
