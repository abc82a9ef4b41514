// The Automations pages in real headless Chromium against the real server, at desktop and phone
// widths: the list, the editor's form and JSON views, a 422 beside its field, the dry run,
// "Automate" from an event and from a webhook, pause and resume. Screenshots land in test-results/e2e/.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { launchBrowser, send, startInlet, type Browser, type RunningInlet } from "../support/browser.ts";
import { startReceiver, type Receiver } from "../support/receivers.ts";
import { ADMIN, apiCall, fitsWidth, setUpAdmin, signIn, VIEWER } from "../support/ui-session.ts";

const VIEWPORTS = [
  ["desktop", { width: 1280, height: 860 }],
  ["phone", { width: 390, height: 844 }],
] as const;

let server: RunningInlet;
let receiver: Receiver;
let adminExists = false;

beforeAll(async () => {
  server = await startInlet();
  receiver = startReceiver();
});

afterAll(async () => {
  await receiver?.stop();
  await server?.stop();
});

interface Stored {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  tags: string[];
  trigger: Record<string, unknown>;
  actions: Record<string, unknown>[];
}

describe.each(VIEWPORTS)("automations at %s width", (label, viewport) => {
  const EVENT = `model.${label}.refreshed`;
  let b: Browser;
  let hook: { id: string; url: string; name: string };
  let destinationId = "";
  let automationId = "";
  const page = (): Page => b.page;
  const heading = (name: string) => page().getByRole("heading", { name, exact: true }).waitFor();
  const stored = () => apiCall<Stored>(page(), "GET", `/api/automations/${automationId}`);
  const sendModel = (model: string) => send(hook.url, { body: JSON.stringify({ model }), headers: { "content-type": "application/json" } });

  beforeAll(async () => {
    b = await launchBrowser(server.url, viewport);
    if (adminExists) await signIn(page(), server.url, ADMIN);
    else await setUpAdmin(server, page());
    adminExists = true;
    hook = await apiCall(page(), "POST", "/api/webhooks/", {
      name: `models-${label}`,
      template: `{"event": "${EVENT}", "resource": {"prefect.resource.id": "product.models.{{ body.model }}"}}`,
    });
    const dest = await apiCall<{ id: string }>(page(), "POST", "/api/destinations", {
      name: `receiver-${label}`,
      type: "webhook",
      config: { url: receiver.url },
    });
    destinationId = dest.id;
    // A watchdog whose event never comes: waiting at first, down once its 10 s have passed.
    await apiCall(page(), "POST", "/api/automations/", {
      name: `Backup watchdog ${label}`,
      trigger: { type: "event", expect: [`backup.${label}.done`], posture: "Proactive", threshold: 1, within: 10 },
      actions: [],
    });
  });

  afterAll(async () => {
    expect(b.foreignRequests).toEqual([]);
    await b?.close();
  });

  test("create one with the form: events, resource, threshold, window and a webhook action", async () => {
    await page().getByRole("link", { name: "Automations", exact: true }).click();
    await heading("Automations");
    await page().getByRole("link", { name: "New automation" }).first().click();
    await heading("New automation");
    await page().locator("#au-name").fill(`Model refresh ${label}`);
    await page().locator("#au-expect").fill(EVENT);
    await page().locator("#au-resource").fill("product.models.*");
    await page().locator("#au-threshold").fill("2");
    await page().locator("#au-within").fill("600");
    await page().getByText("10 min").waitFor();
    await page().getByRole("button", { name: "Add action" }).first().click();
    await page().locator("#actions-0-type").selectOption("call-webhook");
    await page().locator("#actions-0-dest").selectOption(destinationId);
    await page().locator("#actions-0-payload").fill(`{"model": "{{ event.resource['prefect.resource.id'] }}"}`);
    await b.screenshot(`20-automation-new-${label}`);
    expect(await fitsWidth(page())).toBe(true);
    await page().getByRole("button", { name: "Create automation" }).click();
    await page().getByRole("link", { name: "Deliveries" }).waitFor();
    automationId = new URL(page().url()).pathname.split("/").pop()!;
    const a = await stored();
    expect(a.trigger).toMatchObject({
      type: "event",
      expect: [EVENT],
      match: { "prefect.resource.id": "product.models.*" },
      posture: "Reactive",
      threshold: 2,
      within: 600,
    });
    expect(a.actions).toEqual([
      { type: "call-webhook", destination_id: destinationId, payload: `{"model": "{{ event.resource['prefect.resource.id'] }}"}` },
    ]);
  });

  test("the list shows it with its trigger, its switch and when it last fired", async () => {
    await page().getByRole("link", { name: "Back to automations" }).click();
    const card = page()
      .getByTestId("automation-card")
      .filter({ hasText: `Model refresh ${label}` });
    await card.waitFor();
    expect(await card.textContent()).toContain(`On 2 × ${EVENT} on product.models.* within 10 min`);
    expect(await card.textContent()).toContain("Last fired: never");
    expect(await card.getByRole("switch").isChecked()).toBe(true);
    const watchdog = page()
      .getByTestId("automation-card")
      .filter({ hasText: `Backup watchdog ${label}` });
    expect(await watchdog.getByTestId("proactive-state").textContent()).toBe("Waiting");
    expect(await fitsWidth(page())).toBe(true);
    await b.screenshot(`21-automations-${label}`);
  });

  test("form ⇄ JSON keep the same data, fields the form lacks included; invalid JSON is refused with a message", async () => {
    await page()
      .getByRole("link", { name: `Model refresh ${label}` })
      .click();
    await page().locator("#au-name").waitFor();
    await page().locator("#au-desc").fill("typed in the form");
    await page().getByRole("tab", { name: "JSON" }).click();
    const json = page().locator("#au-json");
    const shown = JSON.parse(await json.inputValue());
    expect(shown).toMatchObject({ description: "typed in the form", trigger: { threshold: 2, within: 600 } });
    await json.fill(JSON.stringify({ ...shown, tags: ["nightly"], description: "typed in the JSON" }, null, 2));
    await page().getByRole("tab", { name: "Form" }).click();
    expect(await page().locator("#au-desc").inputValue()).toBe("typed in the JSON");
    await page().getByRole("tab", { name: "JSON" }).click();
    expect(JSON.parse(await json.inputValue()).tags).toEqual(["nightly"]);

    await json.fill('{"name": "broken",');
    await page().getByRole("tab", { name: "Form" }).click();
    expect(await page().getByTestId("json-error").textContent()).toStartWith("The JSON is not valid");
    expect(await page().getByRole("tab", { name: "JSON" }).getAttribute("aria-selected")).toBe("true");
    await b.screenshot(`22-automation-json-invalid-${label}`);
    expect(await fitsWidth(page())).toBe(true);
    await json.fill(JSON.stringify({ ...shown, tags: ["nightly"], description: "typed in the JSON" }, null, 2));
    await page().getByRole("button", { name: "Save changes" }).click();
    await page().getByRole("status").filter({ hasText: "Saved" }).waitFor();
    const a = await stored();
    expect(a.tags).toEqual(["nightly"]);
    expect(a.description).toBe("typed in the JSON");
  });

  test("a 422 from the server is shown beside the field it names, and nothing is saved", async () => {
    await page().getByRole("tab", { name: "Form" }).click();
    await page().locator("#au-posture").selectOption("Proactive");
    await page().locator("#au-within").fill("5");
    await page().getByRole("button", { name: "Save changes" }).click();
    const error = page().getByTestId("au-within-error");
    await error.waitFor();
    expect(await error.textContent()).toMatch(/10/);
    await b.screenshot(`23-automation-422-${label}`);
    expect((await stored()).trigger).toMatchObject({ posture: "Reactive", within: 600 });
    await page().reload();
    await page().locator("#au-within").waitFor();
  });

  test("Automate from an event in the feed opens the editor with its name and resource", async () => {
    for (const model of ["a", "b", "c"]) expect(await sendModel(model)).toBe(204);
    await page().getByRole("link", { name: "Events", exact: true }).click();
    await page().locator(".event-row", { hasText: EVENT }).first().click();
    await page().getByRole("dialog").getByRole("link", { name: "Automate…" }).click();
    await heading("New automation");
    expect(await page().locator("#au-expect").inputValue()).toBe(EVENT);
    expect(await page().locator("#au-resource").inputValue()).toMatch(/^product\.models\.[abc]$/);
    expect(await page().locator("#au-name").inputValue()).toBe(`When ${EVENT} arrives`);
  });

  test("test against recent events: which would have fired, with nothing saved or sent", async () => {
    // Still the pre-filled draft: widened to the three events of any model, with an action that marks what it would send.
    await page().locator("#au-resource").fill("");
    await page().getByRole("button", { name: "Add action" }).first().click();
    await page().locator("#actions-0-type").selectOption("call-webhook");
    await page().locator("#actions-0-dest").selectOption(destinationId);
    await page().locator("#actions-0-payload").fill(`dry-run-${label}`);
    const automationsBefore = await apiCall<number>(page(), "POST", "/api/automations/count");
    await page().locator("#dry-limit").fill("50");
    await page().getByRole("button", { name: "Run test" }).click();
    const result = page().getByTestId("dry-run-result");
    await result.waitFor();
    expect(await result.locator("p").first().textContent()).toMatch(/^Replayed \d+ events: it would have fired 3 times\.$/);
    await result.locator(".firing", { hasText: EVENT }).nth(2).waitFor();
    expect(await result.locator(".firing").count()).toBe(3);
    await b.screenshot(`24-automation-dry-run-${label}`);
    expect(await fitsWidth(page())).toBe(true);
    expect(await apiCall<number>(page(), "POST", "/api/automations/count")).toBe(automationsBefore);
    expect(receiver.received.filter((r) => r.body.includes(`dry-run-${label}`))).toEqual([]);
  });

  test("a 422 from a dry run is shown beside its field too", async () => {
    await page().locator("#au-posture").selectOption("Proactive");
    await page().locator("#au-within").fill("3");
    await page().getByRole("button", { name: "Run test" }).click();
    await page().getByTestId("au-within-error").waitFor();
    await page().locator("#au-posture").selectOption("Reactive");
  });

  test("Automate from a webhook card opens the editor on that webhook's events", async () => {
    await page().getByRole("link", { name: "Webhooks", exact: true }).click();
    await page()
      .getByRole("link", { name: `Automate models-${label}` })
      .click();
    await heading("New automation");
    await page().waitForFunction((name) => document.querySelector<HTMLInputElement>("#au-expect")?.value === name, EVENT);
    expect(await page().locator("#au-related").inputValue()).toBe(`prefect-cloud.webhook.${hook.id}`);
    await page().locator("#au-name").fill(`Any ${label} model`);
    await page().getByRole("button", { name: "Create automation" }).click();
    await page().getByRole("link", { name: "Deliveries" }).waitFor();
  });

  test("pause and resume from the list", async () => {
    await page().getByRole("link", { name: "Automations", exact: true }).click();
    const toggle = page().getByRole("switch", { name: `Model refresh ${label} enabled` });
    await toggle.click();
    await page()
      .getByTestId("automation-card")
      .filter({ hasText: `Model refresh ${label}` })
      .getByText("Paused")
      .waitFor();
    expect((await stored()).enabled).toBe(false);
    await toggle.click();
    await page()
      .getByTestId("automation-card")
      .filter({ hasText: `Model refresh ${label}` })
      .getByText("Enabled")
      .waitFor();
    expect((await stored()).enabled).toBe(true);
  });

  test("a Proactive automation whose events did not come is shown down, since when", async () => {
    const state = page()
      .getByTestId("automation-card")
      .filter({ hasText: `Backup watchdog ${label}` })
      .getByTestId("proactive-state");
    // Its 10 s window opened when it was created, before the tests above; the list reads the state again by itself.
    await state.filter({ hasText: /^Down since/ }).waitFor({ timeout: 20_000 });
    expect(await state.textContent()).toMatch(/^Down since \d{1,2}:\d{2}/);
    await b.screenshot(`25-automations-down-${label}`);
  });
});

describe("a viewer", () => {
  test("reads automations and their deliveries but changes nothing, and sees no destinations", async () => {
    const admin = await launchBrowser(server.url);
    await signIn(admin.page, server.url, ADMIN);
    await apiCall(admin.page, "POST", "/api/users", { ...VIEWER, role: "viewer" });
    await admin.close();
    const b = await launchBrowser(server.url);
    try {
      await signIn(b.page, server.url, VIEWER);
      expect(await b.page.getByRole("link", { name: "Destinations" }).count()).toBe(0);
      await b.page.goto(`${server.url}/destinations`);
      await b.page.getByRole("heading", { name: "Destinations are for admins" }).waitFor();
      await b.page.getByRole("link", { name: "Automations", exact: true }).click();
      await b.page.getByRole("link", { name: "Model refresh desktop" }).waitFor();
      expect(await b.page.getByRole("link", { name: "New automation" }).count()).toBe(0);
      expect(await b.page.getByRole("switch").count()).toBe(0);
      await b.page.getByRole("link", { name: "Model refresh desktop" }).click();
      await b.page.locator("#au-name").waitFor();
      expect(await b.page.locator("#au-name").isDisabled()).toBe(true);
      expect(await b.page.getByRole("button", { name: "Save changes" }).count()).toBe(0);
      expect(await b.page.getByRole("button", { name: "Delete automation…" }).count()).toBe(0);
      await b.page.getByRole("link", { name: "Deliveries" }).click();
      await b.page.getByRole("heading", { name: "Deliveries of Model refresh desktop" }).waitFor();
      expect(b.foreignRequests).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
