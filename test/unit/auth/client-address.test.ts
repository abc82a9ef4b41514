import { describe, expect, test } from "bun:test";
import { clientAddress, resolveClient, secureCookies } from "../../../src/auth/client-address.ts";
import { CidrList } from "../../../src/http/cidr.ts";

const peer = (address: string | null) => ({ requestIP: () => (address === null ? null : { address }) });
const request = (headers: Record<string, string> = {}) => new Request("http://localhost/api/auth/login", { headers });
const PROXIES = CidrList.parse("10.0.0.0/24, fd00::/8");
const from = (address: string, headers: Record<string, string> = {}) => resolveClient(address, new Headers(headers), PROXIES);

describe("clientAddress", () => {
  test("is the socket's peer; X-Forwarded-For, Forwarded and X-Real-IP are not believed by default", () => {
    const spoofed = request({ "x-forwarded-for": "203.0.113.9", "x-real-ip": "203.0.113.9", forwarded: "for=203.0.113.9" });
    expect(clientAddress(peer("192.0.2.1"), spoofed)).toBe("192.0.2.1");
    expect(clientAddress(peer("::ffff:192.0.2.1"), spoofed)).toBe("192.0.2.1");
    expect(clientAddress(peer("2001:db8::1"), spoofed)).toBe("2001:db8::1");
  });

  test("without a socket (app.handle) every request is the same unknown address", () => {
    expect(clientAddress(null, request({ "x-forwarded-for": "203.0.113.9" }))).toBe("unknown");
    expect(clientAddress(peer(null), request())).toBe("unknown");
  });
});

describe("resolveClient behind trusted proxies", () => {
  test("the client is the right-most X-Forwarded-For entry that is not a trusted proxy", () => {
    // The client claims 198.51.100.1 itself; the outer proxy saw 203.0.113.9, the inner one 10.0.0.2.
    const chain = { "x-forwarded-for": "198.51.100.1, 203.0.113.9, 10.0.0.2" };
    expect(from("10.0.0.1", chain).address).toBe("203.0.113.9");
    expect(from("::ffff:10.0.0.1", chain).address).toBe("203.0.113.9");
    // A peer that is not a trusted proxy is the client, whatever it forwards.
    expect(from("203.0.113.50", chain).address).toBe("203.0.113.50");
    // A trusted proxy that forwarded nothing is the client; one whose chain is all proxies, the left-most.
    expect(from("10.0.0.1").address).toBe("10.0.0.1");
    expect(from("10.0.0.1", { "x-forwarded-for": "10.0.0.3, 10.0.0.2" }).address).toBe("10.0.0.3");
  });

  test("Forwarded (RFC 7239) is read when there is no X-Forwarded-For: quoted IPv6 with ports, obfuscated nodes", () => {
    expect(from("fd00::1", { forwarded: 'for=198.51.100.1, for="[2001:db8:cafe::17]:4711";proto=https' })).toEqual({
      address: "2001:db8:cafe::17",
      proto: "https",
    });
    expect(from("10.0.0.1", { forwarded: "for=192.0.2.60:8080;proto=http;by=10.0.0.1" }).address).toBe("192.0.2.60");
    expect(from("10.0.0.1", { forwarded: "for=_hidden" }).address).toBe("unknown");
    expect(from("10.0.0.1", { forwarded: 'For="10.0.0.7", for=10.0.0.5' }).address).toBe("10.0.0.7");
  });

  test("with both headers, X-Forwarded-For wins: a client's own Forwarded passes through a proxy that only appends X-Forwarded-For", () => {
    expect(from("10.0.0.1", { forwarded: "for=198.51.100.66;proto=https", "x-forwarded-for": "203.0.113.9" })).toEqual({
      address: "203.0.113.9",
      proto: "http",
    });
  });

  test("X-Forwarded-Proto is the nearest proxy's, and only from a trusted peer", () => {
    expect(from("10.0.0.1", { "x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https" }).proto).toBe("https");
    expect(from("10.0.0.1", { "x-forwarded-proto": "http, https" }).proto).toBe("https");
    expect(from("10.0.0.1", { "x-forwarded-proto": "https, http" }).proto).toBe("http");
    expect(from("203.0.113.50", { "x-forwarded-proto": "https" }).proto).toBe("http");
  });

  test("cookies are Secure for an https base URL, or for https as a trusted proxy reports it", () => {
    expect(secureCookies("https://inlet.example", request())).toBe(true);
    expect(secureCookies("http://192.168.1.5:4280", request({ "x-forwarded-proto": "https" }))).toBe(false);
  });
});
