// Requests made by the official CloudEvents SDK's HTTP emitter, parsed as ingestion parses them,
// rendered through `{{ body|from_cloud_event(headers) }}` (docs/templates.md).
import { describe, expect, test } from "bun:test";
import { CloudEvent, HTTP } from "cloudevents";
import { failure, render, request } from "../../support/templates.ts";

const TEMPLATE = "{{ body|from_cloud_event(headers) }}";

/** As ingestion builds them: headers lowercased; a body that parses as JSON is parsed, else it stays text. */
function asIngestion(message: { headers: Record<string, unknown>; body: unknown }) {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) headers[k.toLowerCase()] = String(v);
  const text = typeof message.body === "string" ? message.body : message.body === undefined ? "" : String(message.body);
  let body: unknown = text;
  try {
    body = text === "" ? "" : JSON.parse(text);
  } catch {}
  return request(body, headers);
}

const event = () =>
  new CloudEvent({
    type: "com.example.order.created",
    source: "/orders",
    subject: "order-42",
    time: "2024-06-15T12:00:00Z",
    myext: "x y",
    data: { total: 9.5, note: 'a "quoted" note' },
  });

describe.each([
  ["binary", HTTP.binary],
  ["structured", HTTP.structured],
])("%s mode", (_mode, emit) => {
  test("type → event, subject → resource, time → occurred, data and attributes → payload", () => {
    const ce = event();
    const out = JSON.parse(render(TEMPLATE, asIngestion(emit(ce))));
    expect(out.event).toBe("com.example.order.created");
    expect(out.resource).toEqual({ "prefect.resource.id": "order-42" });
    expect(out.occurred).toBe("2024-06-15T12:00:00.000Z");
    expect(out.payload.data).toEqual({ total: 9.5, note: 'a "quoted" note' });
    expect(out.payload.cloudevents).toMatchObject({
      id: ce.id,
      source: "/orders",
      specversion: "1.0",
      type: "com.example.order.created",
      subject: "order-42",
      myext: "x y",
    });
    expect(out.payload.cloudevents.data).toBeUndefined();
  });

  test("without a subject the resource is the source", () => {
    const ce = new CloudEvent({ type: "t.happened", source: "urn:sensor:7", data: "plain text" });
    const out = JSON.parse(render(TEMPLATE, asIngestion(emit(ce))));
    expect(out.resource["prefect.resource.id"]).toBe("urn:sensor:7");
    expect(out.payload.data).toBe("plain text");
  });
});

test("structured data_base64 is decoded into payload.data", () => {
  const ce = new CloudEvent({ type: "t", source: "/s", data_base64: btoa('{"k": 1}') });
  const out = JSON.parse(render(TEMPLATE, asIngestion(HTTP.structured(ce))));
  expect(out.payload.data).toEqual({ k: 1 });
  expect(out.payload.cloudevents.data_base64).toBeUndefined();
});

test("binary-mode header values are percent-decoded (HTTP binding §3.1.3.2)", () => {
  const req = request(
    { a: 1 },
    {
      "content-type": "application/json",
      "ce-specversion": "1.0",
      "ce-id": "1",
      "ce-source": "/s",
      "ce-type": "t",
      "ce-subject": "caf%C3%A9%20menu",
    },
  );
  expect(JSON.parse(render(TEMPLATE, req)).resource["prefect.resource.id"]).toBe("café menu");
});

describe("missing required attributes fail the render with a clear message", () => {
  test.each(["ce-id", "ce-source", "ce-type", "ce-specversion"])("binary without %s", (header) => {
    const { headers, body } = HTTP.binary(event());
    const h = { ...(headers as Record<string, string>) };
    delete h[header];
    const err = failure(TEMPLATE, asIngestion({ headers: h, body }));
    expect(err.reason).toBe("template_error");
    expect(err.message).toContain(header.slice(3));
  });

  test("structured body without type", () => {
    const err = failure(
      TEMPLATE,
      request({ specversion: "1.0", id: "1", source: "/s" }, { "content-type": "application/cloudevents+json" }),
    );
    expect(err.message).toContain("lacks required attribute(s) type");
  });

  test("batched mode is refused", () => {
    const err = failure(TEMPLATE, request([], { "content-type": "application/cloudevents-batch+json" }));
    expect(err.message).toContain("batched");
  });
});
