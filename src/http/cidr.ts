// Address ranges in CIDR notation ("192.0.2.0/24", "2001:db8::/32", or a bare address for one host),
// for deciding whether a peer is a trusted proxy, and for allowlists. IPv4 and IPv6 are kept apart
// except for IPv4-mapped IPv6 ("::ffff:192.0.2.1", how a dual-stack socket reports an IPv4 client),
// which is matched as the IPv4 address it carries.
import { isIPv4, isIPv6 } from "node:net";

export interface CidrRange {
  /** 4 for IPv4, 6 for IPv6. */
  family: 4 | 6;
  /** The network address as a big number (32 or 128 bits), its host bits zero. */
  network: bigint;
  prefix: number;
}

export class CidrError extends Error {}

function ipv4Bits(address: string): bigint {
  return address.split(".").reduce((bits, part) => (bits << 8n) | BigInt(Number(part)), 0n);
}

/** 128 bits of an IPv6 address (which node:net has already validated), an embedded IPv4 tail included. */
function ipv6Bits(address: string): bigint {
  let text = address.toLowerCase();
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = ipv4Bits(tail[1]!);
    text = `${text.slice(0, tail.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = "", rest] = text.split("::") as [string, string | undefined];
  const left = head ? head.split(":") : [];
  const right = rest ? rest.split(":") : [];
  const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return groups.reduce((bits, group) => (bits << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** An address as family and bits; an IPv4-mapped IPv6 address is its IPv4 one. Null if not an address. */
export function parseAddress(address: string): { family: 4 | 6; bits: bigint } | null {
  const text = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  if (isIPv4(text)) return { family: 4, bits: ipv4Bits(text) };
  if (!isIPv6(text)) return null;
  const bits = ipv6Bits(text);
  if (bits >> 32n === MAPPED_PREFIX >> 32n) return { family: 4, bits: bits & 0xffffffffn };
  return { family: 6, bits };
}

/** One range; throws CidrError naming the entry when it is not one. */
export function parseCidr(entry: string): CidrRange {
  const text = entry.trim();
  const slash = text.indexOf("/");
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (!address) throw new CidrError(`"${text}" is not an IP address or CIDR range`);
  // A mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
  const mapped = address.family === 4 && !isIPv4(slash === -1 ? text : text.slice(0, slash));
  const width = address.family === 4 ? 32 : 128;
  let prefix = width;
  if (slash !== -1) {
    const raw = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(raw)) throw new CidrError(`"${text}" has no valid prefix length`);
    prefix = Number(raw) - (mapped ? 96 : 0);
    if (prefix < 0 || prefix > width) throw new CidrError(`"${text}" has a prefix length out of range`);
  }
  const hostBits = BigInt(width - prefix);
  return { family: address.family, network: (address.bits >> hostBits) << hostBits, prefix };
}

/** A list of ranges, and whether an address falls in any of them. */
export class CidrList {
  static readonly EMPTY = new CidrList([]);

  constructor(readonly ranges: readonly CidrRange[]) {}

  /** "10.0.0.0/8, ::1": comma-separated; empty text is an empty list. Throws CidrError on a bad entry. */
  static parse(text: string | readonly string[]): CidrList {
    const entries = typeof text === "string" ? text.split(",") : text;
    return new CidrList(entries.filter((entry) => entry.trim() !== "").map(parseCidr));
  }

  get size(): number {
    return this.ranges.length;
  }

  /** Whether the address is in the list; anything that is not an address is not. */
  has(address: string): boolean {
    if (this.ranges.length === 0) return false;
    const parsed = parseAddress(address);
    if (!parsed) return false;
    const width = parsed.family === 4 ? 32 : 128;
    return this.ranges.some((range) => {
      if (range.family !== parsed.family) return false;
      const hostBits = BigInt(width - range.prefix);
      return (parsed.bits >> hostBits) << hostBits === range.network;
    });
  }
}
