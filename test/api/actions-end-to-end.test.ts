// From a sender to a receiver: an event posted to a hook fires an automation (through the trigger
// engine), whose call-webhook reaches a loopback receiver, signed, and is recorded as delivered.
import { expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { createTestApp } from "../support/app.ts";
import { deliveriesOf, settled } from "../support/deliveries.ts";
import { automationBody } from "../support/automations.ts";
import { createWebhook, hook, storedEvents } from "../support/hooks.ts";
import { startReceiver } from "../support/receivers.ts";
import { waitUntil } from "../support/wait.ts";

test("a hook's event fires an automation whose call-webhook reaches the receiver, signed", async () => {
  await using t = createTestApp({ database: "file" });
  const receiver = startReceiver();
  try {
    t.ctx.start();
    const dest = await (
      await t.request("POST", "/api/destinations/", { body: { name: "ci", type: "webhook", config: { url: `${receiver.url}/deploy` } } })
    ).json();
    const created = await t.request("POST", "/api/automations/", {
      body: automationBody({
        name: "deploy on push",
        actions: [
          {
            type: "call-webhook",
            destination_id: dest.id,
            payload: '{"repo": "{{ event.resource["prefect.resource.id"] }}", "by": "{{ event.payload.pusher }}"}',
          },
        ],
      }),
    });
    expect(created.status).toBe(201);
    const automation = await created.json();
    const w = await createWebhook(t, {
      template:
        '{"event": "github.push", "resource": {"prefect.resource.id": "github.repo.{{ body.repo }}"}, "payload": {"pusher": "{{ body.pusher }}"}}',
    });
    const res = await hook(t, w.slug, {
      body: JSON.stringify({ repo: "inlet", pusher: "ada" }),
      headers: { "content-type": "application/json" },
    });
    expect(res.status).toBe(204);

    await waitUntil(() => deliveriesOf(t.ctx, automation.id).length === 1, "the firing's delivery", 10_000);
    const [delivery] = deliveriesOf(t.ctx, automation.id);
    expect((await settled(t.ctx, delivery!.id)).status).toBe("delivered");
    expect(receiver.received).toHaveLength(1);
    const [sent] = receiver.received;
    expect(sent!.path).toBe("/deploy");
    expect(JSON.parse(sent!.body)).toEqual({ repo: "github.repo.inlet", by: "ada" });
    expect(sent!.headers["webhook-id"]).toBe(delivery!.id);
    expect(() => new Webhook(dest.signing_secret).verify(sent!.body, sent!.headers)).not.toThrow();
    await waitUntil(
      () => storedEvents(t).some((e) => e.event === "prefect-cloud.automation.action.executed"),
      "the executed event",
      10_000,
    );
    const names = storedEvents(t).map((e) => e.event);
    expect(names).toContain("github.push");
    expect(names).toContain("prefect-cloud.automation.action.triggered");

    // /metrics counts the firing and the delivery from the events that record them.
    const firings = (await t.ctx.metrics.automationFirings.get()).values;
    expect(firings).toEqual([{ labels: { automation_id: automation.id, state: "Triggered" }, value: 1 }]);
    const finished = (await t.ctx.metrics.deliveries.get()).values;
    expect(finished).toEqual([{ labels: { status: "delivered" }, value: 1 }]);
  } finally {
    await receiver.stop();
  }
});
