// The Destinations page in real headless Chromium against the real server, at desktop and phone
// widths: a secret typed once and never shown again, the signing secret shown once, "Send test"
// against a loopback receiver started here, and an automation's delivery log with Retry now. Screenshots land in test-results/e2e/.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { Webhook } from "standardwebhooks";
import { launchBrowser, send, startInlet, type Browser, type RunningInlet } from "../support/browser.ts";
import { startReceiver, type Receiver } from "../support/receivers.ts";
import { ADMIN, apiCall, fitsWidth, setUpAdmin, signIn } from "../support/ui-session.ts";

const VIEWPORTS = [
  ["desktop", { width: 1280, height: 860 }],
  ["phone", { width: 390, height: 844 }],
] as const;

let server: RunningInlet;
let receiver: Receiver;
/** What the receiver answers next. */
let status = 200;
let adminExists = false;

beforeAll(async () => {
  server = await startInlet();
  receiver = startReceiver(() => new Response(status < 300 ? "thanks" : "gone", { status }));
});

afterAll(async () => {
  await receiver?.stop();
  await server?.stop();
});

describe.each(VIEWPORTS)("destinations at %s width", (label, viewport) => {
  const TOKEN = `s3cret-token-${label}`;
  const NAME = `Deploy hook ${label}`;
  let b: Browser;
  let signingSecret = "";
  const page = (): Page => b.page;
  const card = (name: string) => page().getByTestId("destination-card").filter({ hasText: name });
  /** Everything the page shows and everything the API answers about destinations. */
  const everythingShown = async () => (await page().content()) + JSON.stringify(await apiCall(page(), "GET", "/api/destinations"));

  beforeAll(async () => {
    b = await launchBrowser(server.url, viewport);
    if (adminExists) await signIn(page(), server.url, ADMIN);
    else await setUpAdmin(server, page());
    adminExists = true;
  });

  afterAll(async () => {
    expect(b.foreignRequests).toEqual([]);
    await b?.close();
  });

  test("create a webhook destination: the signing secret is shown once, with copy; the header secret never", async () => {
    await page().getByRole("link", { name: "Destinations" }).click();
    await page().getByRole("heading", { name: "Destinations", exact: true }).waitFor();
    await page().getByRole("button", { name: "New destination" }).click();
    await page().locator("#dest-type").selectOption("webhook");
    await page().locator("#dest-name").fill(NAME);
    await page().locator("#dest-url").fill(`${receiver.url}/deploy`);
    await page().locator("#dest-headers").fill(`Authorization: Bearer ${TOKEN}`);
    expect(await fitsWidth(page())).toBe(true);
    await b.screenshot(`30-destination-new-${label}`);
    await page().getByRole("button", { name: "Create destination" }).click();
    const shown = page().getByTestId("signing-secret");
    await shown.waitFor();
    signingSecret = (await shown.textContent())!;
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    await page().getByRole("dialog").getByRole("button", { name: "Copy secret" }).waitFor();
    await b.screenshot(`31-destination-signing-secret-${label}`);
    await page().getByRole("button", { name: "I have copied it" }).click();
    await card(NAME).waitFor();
    const all = await everythingShown();
    expect(all).not.toContain(signingSecret);
    expect(all).not.toContain(TOKEN);
    expect(await fitsWidth(page())).toBe(true);
  });

  test("editing shows that the secret is set, never its value; left blank it is kept", async () => {
    await card(NAME).getByRole("button", { name: "Edit" }).click();
    expect(await page().locator("#dest-headers").inputValue()).toBe("");
    await page().getByTestId("dest-headers-set").waitFor();
    expect(await page().locator("#dest-url").inputValue()).toBe(`${receiver.url}/deploy`);
    await b.screenshot(`32-destination-edit-${label}`);
    await page().locator("#dest-name").fill(`${NAME} (prod)`);
    await page().getByRole("button", { name: "Save destination" }).click();
    await card(`${NAME} (prod)`).waitFor();
    expect(await everythingShown()).not.toContain(TOKEN);
  });

  test("send test: the receiver gets a signed request with the kept header, and the result is shown", async () => {
    status = 200;
    const before = receiver.received.length;
    await card(`${NAME} (prod)`).getByRole("button", { name: "Send test" }).click();
    const result = card(`${NAME} (prod)`).getByTestId("test-result");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/^Test delivered: 200 in \d+ ms$/);
    const got = receiver.received.slice(before);
    expect(got.length).toBe(1);
    expect(got[0]!.path).toBe("/deploy");
    expect(got[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // Standard Webhooks: verified with the secret shown at creation.
    expect(() => new Webhook(signingSecret).verify(got[0]!.body, got[0]!.headers)).not.toThrow();

    status = 503;
    await card(`${NAME} (prod)`).getByRole("button", { name: "Send test" }).click();
    await result.filter({ hasText: "Test failed: 503" }).waitFor();
    await b.screenshot(`33-destination-test-failed-${label}`);
    status = 200;
  });

  test("rotating the signing secret shows the new one once", async () => {
    await card(`${NAME} (prod)`).getByRole("button", { name: "Rotate signing secret…" }).click();
    await page().getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
    const shown = page().getByTestId("signing-secret");
    await shown.waitFor();
    const rotated = (await shown.textContent())!;
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(signingSecret);
    await page().getByRole("button", { name: "I have copied it" }).click();
    await shown.waitFor({ state: "detached" });
    expect(await everythingShown()).not.toContain(rotated);
  });

  test("a Slack destination: its URL is the secret, so it is never shown", async () => {
    const hookUrl = `${receiver.url}/services/T000/B000/${label}XXXXXXXX`;
    await page().getByRole("button", { name: "New destination" }).click();
    await page().locator("#dest-type").selectOption("slack");
    await page().locator("#dest-name").fill(`Team chat ${label}`);
    await page().locator("#dest-url").fill(hookUrl);
    await page().getByRole("button", { name: "Create destination" }).click();
    await card(`Team chat ${label}`).waitFor();
    expect(await page().getByTestId("signing-secret").count()).toBe(0);
    expect(await everythingShown()).not.toContain(hookUrl);
    await card(`Team chat ${label}`).getByRole("button", { name: "Edit" }).click();
    await page().getByTestId("dest-url-set").waitFor();
    expect(await page().locator("#dest-url").inputValue()).toBe("");
    await page().getByRole("button", { name: "Cancel" }).click();
  });

  test("the delivery log: the attempt with its request (secret masked) and answer, then Retry now", async () => {
    const [dest] = (await apiCall<{ id: string; name: string }[]>(page(), "GET", "/api/destinations")).filter(
      (d) => d.name === `${NAME} (prod)`,
    );
    const hook = await apiCall<{ url: string }>(page(), "POST", "/api/webhooks/", {
      name: `deploys-${label}`,
      template: `{"event": "deploy.${label}.requested", "resource": {"prefect.resource.id": "app.{{ body.app }}"}}`,
    });
    const automation = await apiCall<{ id: string }>(page(), "POST", "/api/automations/", {
      name: `Deploy on request ${label}`,
      trigger: { type: "event", expect: [`deploy.${label}.requested`], posture: "Reactive", threshold: 1, within: 0 },
      actions: [{ type: "call-webhook", destination_id: dest!.id, payload: `{"deploy": "{{ event.resource['prefect.resource.id'] }}"}` }],
    });
    // The receiver is gone: the delivery is given up at once and the destination disabled.
    status = 410;
    expect(await send(hook.url, { body: '{"app": "shop"}', headers: { "content-type": "application/json" } })).toBe(204);
    await page().goto(`${server.url}/automations/${automation.id}/deliveries`);
    const delivery = page().getByTestId("delivery").first();
    await delivery.getByTestId("delivery-status").filter({ hasText: "failed" }).waitFor();
    const attempt = delivery.getByTestId("attempt").first();
    expect(await attempt.locator("summary").textContent()).toMatch(/^#1 .* · 410 · \d+ ms/);
    await attempt.locator("summary").click();
    const request = (await attempt.getByTestId("attempt-request").textContent())!;
    expect(request).toStartWith(`POST ${receiver.url}/deploy`);
    expect(request).toContain('{"deploy": "app.shop"}');
    expect(request).toMatch(/^webhook-signature: v1,/m);
    expect(request).toMatch(/^Authorization: (?!Bearer)/m);
    expect(request).not.toContain(TOKEN);
    expect(await attempt.getByTestId("attempt-response").textContent()).toBe("gone");
    expect(await fitsWidth(page())).toBe(true);
    await b.screenshot(`35-delivery-log-failed-${label}`);

    // Enable the destination again, bring the receiver back, and retry.
    await page().getByRole("link", { name: "Destinations" }).click();
    await card(`${NAME} (prod)`)
      .getByText(/Disabled: .*410/)
      .waitFor();
    await card(`${NAME} (prod)`).getByRole("button", { name: "Edit" }).click();
    await page().getByLabel("Enabled").check();
    await page().getByRole("button", { name: "Save destination" }).click();
    await card(`${NAME} (prod)`)
      .getByText(/Disabled/)
      .waitFor({ state: "detached" });
    status = 200;
    const before = receiver.received.length;
    await page().goto(`${server.url}/automations/${automation.id}/deliveries`);
    await delivery.getByRole("button", { name: "Retry now" }).click();
    await delivery.getByTestId("delivery-status").filter({ hasText: "delivered" }).waitFor();
    expect(await delivery.getByTestId("attempt").count()).toBe(2);
    expect(await delivery.getByTestId("attempt").first().locator("summary").textContent()).toMatch(/^#2 .* · 200 · \d+ ms/);
    expect(await delivery.getByRole("button", { name: "Retry now" }).count()).toBe(0);
    const got = receiver.received.slice(before);
    expect(got.map((r) => r.body)).toEqual(['{"deploy": "app.shop"}']);
    expect(got[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    await b.screenshot(`36-delivery-log-retried-${label}`);

    // Nothing failed since yesterday any more: "Retry failed…" finds none to queue.
    await page().getByRole("link", { name: "Destinations" }).click();
    await card(`${NAME} (prod)`).getByRole("button", { name: "Retry failed…" }).click();
    await page().getByRole("dialog").getByRole("button", { name: "Retry them" }).click();
    await page()
      .getByRole("status")
      .filter({ hasText: `${NAME} (prod): 0 failed deliveries queued again.` })
      .waitFor();
  });

  test("delete asks first, then removes it", async () => {
    await card(`Team chat ${label}`).getByRole("button", { name: "Delete…" }).click();
    await page().getByRole("dialog").getByRole("button", { name: "Delete destination" }).click();
    await card(`Team chat ${label}`).waitFor({ state: "detached" });
    const left = await apiCall<{ name: string }[]>(page(), "GET", "/api/destinations");
    expect(left.map((d) => d.name)).not.toContain(`Team chat ${label}`);
    expect(await fitsWidth(page())).toBe(true);
    await b.screenshot(`34-destinations-${label}`);
  });
});
