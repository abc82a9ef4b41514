// The pure pieces of delivery: which addresses are refused, Retry-After, and the signature format
// (checked against the standardwebhooks library's own signing).
import { describe, expect, test } from "bun:test";
import { Webhook } from "standardwebhooks";
import { checkedAddresses, isMetadataAddress, RefusedAddress } from "../../../src/actions/worker/address.ts";
import { parseRetryAfter } from "../../../src/actions/worker/schedule.ts";
import { signatureHeader } from "../../../src/actions/worker/signing.ts";

describe("metadata addresses", () => {
  test.each([
    ["169.254.169.254", true],
    ["169.254.0.1", true],
    ["[fd00:ec2::254]", true],
    ["fd00:ec2:0:0:0:0:0:254", true],
    ["::ffff:169.254.169.254", true],
    ["::ffff:a9fe:a9fe", true],
    ["169.255.0.1", false],
    ["10.0.0.5", false],
    ["192.168.1.10", false],
    ["127.0.0.1", false],
    ["fd00:ec2::253", false],
    ["::1", false],
    ["metadata.google.internal", false],
  ])("%s → %p", (host, refused) => {
    expect(isMetadataAddress(host)).toBe(refused);
  });

  test("a name is refused when any of its addresses is a metadata address; private ones pass", async () => {
    const resolve = async (name: string) => (name === "sneaky.test" ? ["10.0.0.1", "169.254.169.254"] : ["192.168.1.2"]);
    await expect(checkedAddresses("sneaky.test", resolve)).rejects.toBeInstanceOf(RefusedAddress);
    expect(await checkedAddresses("nas.lan", resolve)).toEqual(["192.168.1.2"]);
    expect(await checkedAddresses("127.0.0.1", async () => [])).toEqual(["127.0.0.1"]);
  });
});

describe("Retry-After", () => {
  const now = Date.parse("2026-01-02T03:04:05Z");
  test.each([
    ["120", 120_000],
    [" 0 ", 0],
    ["Fri, 02 Jan 2026 03:05:05 GMT", 60_000],
    ["Fri, 02 Jan 2026 03:00:00 GMT", 0],
    ["soon", null],
    [null, null],
  ])("%p → %p ms", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});

describe("signatures", () => {
  test("v1 signatures equal the library's, one per secret", () => {
    const secrets = [`whsec_${Buffer.from("a".repeat(32)).toString("base64")}`, `whsec_${Buffer.from("b".repeat(32)).toString("base64")}`];
    const at = new Date(1_767_000_000_000);
    const header = signatureHeader(secrets, "msg_1", Math.floor(at.getTime() / 1000), '{"a":1}');
    const expected = secrets.map((s) => new Webhook(s).sign("msg_1", at, '{"a":1}')).join(" ");
    expect(header).toBe(expected);
  });
});
