// The destination form's bodies: secrets travel with the other settings, and a blank secret is left
// out so that an update keeps the stored one.
import { expect, test } from "bun:test";
import { DESTINATION_TYPES, destinationBody, fieldTexts, parseHeaders } from "../../../web/src/lib/destinations.ts";

test("a webhook: headers parsed from lines, a blank body template left out", () => {
  const texts = { url: " https://example.com/hook ", method: "PUT", headers: "Authorization: Bearer t0k\nX-Env: prod", body_template: "" };
  expect(destinationBody("webhook", "deploy", true, texts)).toEqual({
    name: "deploy",
    type: "webhook",
    enabled: true,
    config: { url: "https://example.com/hook", method: "PUT", headers: { Authorization: "Bearer t0k", "X-Env": "prod" } },
  });
});

test("a blank secret is left out, so an update keeps the stored one", () => {
  const body = destinationBody("ntfy", "phone", false, {
    server: "https://ntfy.sh",
    topic: "backups",
    token: "  ",
    priority: "4",
    tags: "warning, backup",
  });
  expect(body.config).toEqual({ server: "https://ntfy.sh", topic: "backups", priority: 4, tags: ["warning", "backup"] });
  expect("token" in body.config).toBe(false);
});

test("email: port as a number, recipients as a list", () => {
  const texts = {
    ...fieldTexts("email", null),
    host: "smtp.example.com",
    port: "2525",
    from: "inlet@example.com",
    to: "a@example.com, b@example.com",
    password: "pw",
  };
  expect(destinationBody("email", "mail", true, texts).config).toEqual({
    host: "smtp.example.com",
    port: 2525,
    security: "starttls",
    from: "inlet@example.com",
    to: ["a@example.com", "b@example.com"],
    password: "pw",
  });
});

test("a new form starts with each select's first option, and every secret blank", () => {
  for (const [type, { fields }] of Object.entries(DESTINATION_TYPES)) {
    const texts = fieldTexts(type as keyof typeof DESTINATION_TYPES, null);
    for (const f of fields) expect(texts[f.key]).toBe(f.kind === "select" ? f.options![0]! : "");
  }
});

test("header lines without a name are ignored; a value may hold colons", () => {
  expect(parseHeaders("X-A: 1:2\n: nothing\nbroken\n")).toEqual({ "X-A": "1:2" });
});
