import { describe, expect, test } from "bun:test";
import { CidrList, parseAddress, parseCidr } from "../../../src/http/cidr.ts";

describe("CidrList", () => {
  test.each([
    ["10.0.0.0/8", "10.255.1.2", true],
    ["10.0.0.0/8", "11.0.0.1", false],
    ["192.0.2.1", "192.0.2.1", true],
    ["192.0.2.1", "192.0.2.2", false],
    ["0.0.0.0/0", "203.0.113.7", true],
    ["0.0.0.0/0", "2001:db8::1", false],
    ["2001:db8::/32", "2001:db8:ffff::1", true],
    ["2001:db8::/32", "2001:db9::1", false],
    ["::1", "::1", true],
    ["::/0", "fe80::1", true],
    // An IPv4 client of a dual-stack socket is matched as IPv4, whichever way the range is written.
    ["192.0.2.0/24", "::ffff:192.0.2.9", true],
    ["::ffff:192.0.2.0/120", "192.0.2.9", true],
    ["::ffff:192.0.2.0/120", "192.0.3.9", false],
    ["2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", true],
    ["64:ff9b::/96", "64:ff9b::192.0.2.1", true],
    ["10.0.0.0/8", "not an address", false],
    ["10.0.0.0/8", "", false],
  ])("%s contains %s: %p", (range, address, expected) => {
    expect(CidrList.parse(range).has(address)).toBe(expected);
  });

  test("a list is comma-separated, spaces and empty entries ignored", () => {
    const list = CidrList.parse(" 10.0.0.0/8, ,::1 ,");
    expect(list.size).toBe(2);
    expect(list.has("10.1.1.1")).toBe(true);
    expect(list.has("::1")).toBe(true);
    expect(list.has("127.0.0.1")).toBe(false);
    expect(CidrList.parse("").has("127.0.0.1")).toBe(false);
  });

  test("host bits in a range are ignored (10.1.2.3/8 is 10.0.0.0/8)", () => {
    expect(parseCidr("10.1.2.3/8")).toEqual({ family: 4, network: 10n << 24n, prefix: 8 });
  });

  test.each(["10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/x", "300.1.1.1", "example.com", "10.0.0.0/8/8", "::ffff:1.2.3.4/95"])(
    "%p is refused, naming the entry",
    (entry) => {
      expect(() => CidrList.parse(`127.0.0.1,${entry}`)).toThrow(entry.split("/")[0]!);
    },
  );

  test("addresses parse to their family's bits", () => {
    expect(parseAddress("[::1]")).toEqual({ family: 6, bits: 1n });
    expect(parseAddress("::ffff:1.2.3.4")).toEqual({ family: 4, bits: 0x01020304n });
    expect(parseAddress("fe80::1%eth0")).toEqual({ family: 6, bits: (0xfe80n << 112n) | 1n });
  });
});
