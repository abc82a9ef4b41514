// Each destination type formats a notification the way its service expects, checked by receivers
// on loopback shaped like Slack, Discord, Teams, ntfy and Gotify, and by a real SMTP server. Secrets
// reach the receiver and nowhere else: not the delivery log, not an answer, not an event.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import type { Action } from "../../src/automations/model.ts";
import { createTestApp, fixedClock, type TestApp } from "../support/app.ts";
import { deliveriesOf, settled } from "../support/deliveries.ts";
import { buildFiring, fire, storeAutomation, testEvent } from "../support/firings.ts";
import { storedEvents } from "../support/hooks.ts";
import { startReceiver, type Receiver } from "../support/receivers.ts";
import { waitUntil } from "../support/wait.ts";

let t: TestApp;
let clock: ReturnType<typeof fixedClock>;
let r: Receiver;
const SECRET = "very-secret-token-0123";

beforeEach(() => {
  clock = fixedClock(Date.now());
  t = createTestApp({ clock, database: "file", delivery: { timeoutMs: 2000, random: () => 0.5 } });
  t.ctx.deliveryWorker.start();
  r = startReceiver();
});
afterEach(async () => {
  await t.close();
  await r.stop();
});

async function destination(type: string, config: Record<string, unknown>) {
  const res = await t.request("POST", "/api/destinations/", { body: { name: `a ${type}`, type, config } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const notify = (destination_id: string): Action => ({
  type: "send-notification",
  destination_id,
  subject: "Alert: {{ event.resource['prefect.resource.name'] }}",
  body: 'It said "{{ event.payload.answer }}" for {{ automation.name }}',
});

/** Fires one action and waits for its delivery to settle; returns it with its log entry. */
async function deliver(action: Action, event = testEvent(clock.now())) {
  const automation = storeAutomation(t.ctx, [action]);
  await fire(t.ctx, buildFiring(automation, clock.now(), event));
  const [row] = deliveriesOf(t.ctx, automation.id);
  const delivery = await settled(t.ctx, row!.id);
  const log = await (await t.request("GET", `/api/automations/${automation.id}/deliveries`)).json();
  return { automation, delivery, log: log.deliveries[0], logText: JSON.stringify(log) };
}

describe("native formats", () => {
  test("Slack: a header block with the subject, a mrkdwn section with the body; the URL masked in the log", async () => {
    const id = await destination("slack", { url: `${r.url}/services/T000/B000/${SECRET}` });
    const { delivery, log, logText } = await deliver(notify(id));
    expect(delivery.status).toBe("delivered");
    expect(r.received[0]!.path).toBe(`/services/T000/B000/${SECRET}`);
    const body = JSON.parse(r.received[0]!.body);
    expect(body.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: "Alert: thing one" } },
      // A notification's text is printed as it is, not escaped as JSON.
      { type: "section", text: { type: "mrkdwn", text: 'It said "42" for test automation' } },
    ]);
    expect(body.text).toBe('Alert: thing one\nIt said "42" for test automation');
    expect(log.attempts[0].request.url).toBe(`${r.url}/•••`);
    expect(logText).not.toContain(SECRET);
  });

  test("Discord: an embed with title and description", async () => {
    const id = await destination("discord", { url: `${r.url}/api/webhooks/1/${SECRET}` });
    await deliver(notify(id));
    expect(JSON.parse(r.received[0]!.body)).toEqual({
      embeds: [{ title: "Alert: thing one", description: 'It said "42" for test automation' }],
    });
  });

  test("Teams: a message card", async () => {
    const id = await destination("teams", { url: `${r.url}/webhookb2/${SECRET}` });
    await deliver(notify(id));
    expect(JSON.parse(r.received[0]!.body)).toMatchObject({
      "@type": "MessageCard",
      title: "Alert: thing one",
      text: 'It said "42" for test automation',
    });
  });

  test("ntfy: JSON published to the server's root with topic, title, message, priority, tags and the token", async () => {
    const id = await destination("ntfy", { server: r.url, topic: "alerts", token: SECRET, priority: 4, tags: ["warning", "skull"] });
    const { log, logText } = await deliver(notify(id));
    const [q] = r.received;
    expect(q!.path).toBe("/");
    expect(q!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(JSON.parse(q!.body)).toEqual({
      topic: "alerts",
      title: "Alert: thing one",
      message: 'It said "42" for test automation',
      priority: 4,
      tags: ["warning", "skull"],
    });
    expect(log.attempts[0].request.headers.authorization).toBe("•••");
    expect(logText).not.toContain(SECRET);
  });

  test("Gotify: a message with the app token in X-Gotify-Key", async () => {
    const id = await destination("gotify", { server: `${r.url}/`, token: SECRET, priority: 8 });
    const { logText } = await deliver(notify(id));
    expect(r.received[0]!.path).toBe("/message");
    expect(r.received[0]!.headers["x-gotify-key"]).toBe(SECRET);
    expect(JSON.parse(r.received[0]!.body)).toEqual({
      title: "Alert: thing one",
      message: 'It said "42" for test automation',
      priority: 8,
    });
    expect(logText).not.toContain(SECRET);
  });

  test("a webhook's body template sees the context and the rendered subject and body", async () => {
    const id = await destination("webhook", {
      url: r.url,
      body_template: '{"text": "{{ subject }}: {{ body }}", "event": "{{ event.event }}"}',
      headers: { "x-api-key": SECRET },
    });
    const { logText } = await deliver(notify(id));
    expect(JSON.parse(r.received[0]!.body)).toEqual({ text: 'Alert: thing one: It said "42" for test automation', event: "test.happened" });
    expect(r.received[0]!.headers["x-api-key"]).toBe(SECRET);
    expect(logText).not.toContain(SECRET);
  });

  test("email: a real SMTP server receives the subject and body, with the password used to sign in", async () => {
    const mails: { from: string; to: string[]; data: string }[] = [];
    const logins: string[] = [];
    const smtp = new SMTPServer({
      secure: false,
      disabledCommands: ["STARTTLS"],
      allowInsecureAuth: true,
      authOptional: false,
      onAuth(auth, _session, done) {
        logins.push(`${auth.username}:${auth.password}`);
        if (auth.username === "inlet" && auth.password === SECRET) done(null, { user: "inlet" });
        else done(new Error("bad credentials"));
      },
      onData(stream, session, done) {
        let data = "";
        stream.on("data", (c: Buffer) => (data += c.toString()));
        stream.on("end", () => {
          mails.push({
            from: String(session.envelope.mailFrom && session.envelope.mailFrom.address),
            to: session.envelope.rcptTo.map((a) => a.address),
            data,
          });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const id = await destination("email", {
        host: "127.0.0.1",
        port,
        security: "none",
        user: "inlet",
        password: SECRET,
        from: "inlet@example.test",
        to: ["ops@example.test"],
      });
      const { delivery, log, logText } = await deliver(notify(id));
      expect(delivery.status).toBe("delivered");
      expect(logins).toEqual([`inlet:${SECRET}`]);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.from).toBe("inlet@example.test");
      expect(mails[0]!.to).toEqual(["ops@example.test"]);
      expect(mails[0]!.data).toContain("Subject: Alert: thing one");
      expect(mails[0]!.data).toContain('It said "42" for test automation');
      expect(log.attempts[0].response).toStartWith("250");
      expect(logText).not.toContain(SECRET);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});

describe("actions without a destination", () => {
  test("do-nothing is delivered at once, with its executed event", async () => {
    const { delivery } = await deliver({ type: "do-nothing" });
    expect(delivery.status).toBe("delivered");
    await waitUntil(() => storedEvents(t).some((e) => e.event === "prefect-cloud.automation.action.executed"), "the executed event");
  });

  test("pause-automation (selected) pauses the named automation; resume-automation resumes it", async () => {
    const target = storeAutomation(t.ctx, []);
    await deliver({ type: "pause-automation", source: "selected", automation_id: target.id });
    expect(t.ctx.automations.get(target.id)!.enabled).toBe(false);
    await deliver({ type: "resume-automation", source: "selected", automation_id: target.id });
    expect(t.ctx.automations.get(target.id)!.enabled).toBe(true);
  });

  test("pause-automation (inferred) pauses the automation the event is about", async () => {
    const target = storeAutomation(t.ctx, []);
    const event = testEvent(clock.now(), { resource: { "prefect.resource.id": `prefect-cloud.automation.${target.id}` } });
    const { delivery } = await deliver({ type: "pause-automation", source: "inferred", automation_id: null }, event);
    expect(delivery.status).toBe("delivered");
    expect(t.ctx.automations.get(target.id)!.enabled).toBe(false);
  });

  test("pausing an automation that does not exist fails, with a reason in the failed event", async () => {
    const { delivery } = await deliver({ type: "pause-automation", source: "selected", automation_id: "no-such-automation" });
    expect(delivery).toMatchObject({ status: "failed", reason: "automation no-such-automation not found" });
    await waitUntil(() => storedEvents(t).some((e) => e.event === "prefect-cloud.automation.action.failed"), "the failed event");
  });
});

describe("failures that are final", () => {
  test("a template that fails to render fails the action at once; nothing is sent", async () => {
    const id = await destination("webhook", { url: r.url });
    const { delivery } = await deliver({ type: "call-webhook", destination_id: id, payload: "{{ 1 / 0 }}" });
    expect(delivery.status).toBe("failed");
    expect(delivery.reason).toStartWith("Template rendering failed (payload):");
    expect(r.received).toEqual([]);
  });

  test("a destination deleted meanwhile fails the action", async () => {
    const id = await destination("webhook", { url: r.url });
    expect((await t.request("DELETE", `/api/destinations/${id}`)).status).toBe(204);
    const { delivery } = await deliver({ type: "call-webhook", destination_id: id, payload: "{}" });
    expect(delivery).toMatchObject({ status: "failed", reason: "destination not found" });
  });

  test("secrets sealed with another key: the destination still lists them, and its deliveries fail saying why", async () => {
    const id = await destination("ntfy", { server: r.url, topic: "a", token: SECRET });
    const { SecretBox } = await import("../../src/verification/secret-box.ts");
    const other = new SecretBox();
    t.ctx.db.$client.run("UPDATE destinations SET secrets = ? WHERE id = ?", [
      JSON.stringify({ set: ["token"], sealed: other.sealText(JSON.stringify({ token: SECRET })) }),
      id,
    ]);
    expect((await (await t.request("GET", `/api/destinations/${id}`)).json()).secrets_set).toEqual(["token"]);
    const { delivery } = await deliver(notify(id));
    expect(delivery).toMatchObject({
      status: "failed",
      reason: "the destination's secrets were sealed with another secrets.key: set them again",
    });
    expect(r.received).toEqual([]);
  });

  test("no secret appears in any stored event", async () => {
    const id = await destination("ntfy", { server: r.url, topic: "a", token: SECRET });
    await deliver(notify(id));
    await waitUntil(() => storedEvents(t).some((e) => e.event === "prefect-cloud.automation.action.executed"), "the executed event");
    expect(JSON.stringify(storedEvents(t))).not.toContain(SECRET);
  });
});
