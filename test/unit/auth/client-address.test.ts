import { describe, expect, test } from "bun:test";
import { clientAddress } from "../../../src/auth/client-address.ts";

const peer = (address: string | null) => ({ requestIP: () => (address === null ? null : { address }) });
const request = (headers: Record<string, string> = {}) => new Request("http://localhost/api/auth/login", { headers });

describe("clientAddress", () => {
  test("is the socket's peer; X-Forwarded-For and X-Real-IP are not believed by default", () => {
    const spoofed = request({ "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9", forwarded: "for=203.0.113.9" });
    expect(clientAddress(peer("192.0.2.1"), spoofed)).toBe("192.0.2.1");
    expect(clientAddress(peer("::ffff:192.0.2.1"), spoofed)).toBe("192.0.2.1");
    expect(clientAddress(peer("2001:db8::1"), spoofed)).toBe("2001:db8::1");
  });

  test("without a socket (app.handle) every request is the same unknown address", () => {
    expect(clientAddress(null, request({ "x-forwarded-for": "203.0.113.9" }))).toBe("unknown");
    expect(clientAddress(peer(null), request())).toBe("unknown");
  });

  test("behind a trusted proxy, the client is the last X-Forwarded-For entry that is not a trusted proxy", () => {
    const proxies = new Set(["10.0.0.1", "10.0.0.2"]);
    // The client claims 198.51.100.1 itself; the outer proxy saw 203.0.113.9, the inner one 10.0.0.2.
    const forwarded = request({ "x-forwarded-for": "198.51.100.1, 203.0.113.9, 10.0.0.2" });
    expect(clientAddress(peer("10.0.0.1"), forwarded, proxies)).toBe("203.0.113.9");
    // A peer that is not a trusted proxy is the client, whatever it forwards.
    expect(clientAddress(peer("203.0.113.50"), forwarded, proxies)).toBe("203.0.113.50");
    // A trusted proxy that forwarded nothing is the client.
    expect(clientAddress(peer("10.0.0.1"), request(), proxies)).toBe("10.0.0.1");
  });
});
