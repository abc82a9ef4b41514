// Where deliveries may not go. Private addresses are allowed (homelab receivers live on the LAN),
// but the link-local metadata services of cloud hosts (169.254.169.254 and its /16, AWS's
// fd00:ec2::254) hand out credentials to whoever asks from the machine, so no delivery reaches them:
// not by address, and not by a name that resolves there.
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** Resolves a host name to every address it has (the worker's is node:dns; tests inject their own). */
export type Resolver = (hostname: string) => Promise<string[]>;

export const systemResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

const bare = (host: string) => host.replace(/^\[|\]$/g, "").toLowerCase();

function ipv4Bytes(address: string): number[] | null {
  const parts = address.split(".");
  if (parts.length !== 4) return null;
  const bytes = parts.map(Number);
  return bytes.every((b, i) => /^\d{1,3}$/.test(parts[i]!) && b <= 255) ? bytes : null;
}

/** The 16 bytes of an IPv6 address, or null. */
function ipv6Bytes(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const bytes = ipv4Bytes(v4[1]!);
    if (!bytes) return null;
    tail.push(...bytes);
    text = `${text.slice(0, -v4[1]!.length)}0:0`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(":").map((g) => Number.parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(rest);
  const words = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Whether `host` is a literal address of a link-local metadata service (names are not resolved here). */
export function isMetadataAddress(host: string): boolean {
  const address = bare(host);
  const v4 = ipv4Bytes(address);
  if (v4) return v4[0] === 169 && v4[1] === 254;
  const v6 = ipv6Bytes(address);
  if (!v6) return false;
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms reach the same IPv4 service.
  const mapped = v6.slice(0, 10).every((b) => b === 0) && ((v6[10] === 0xff && v6[11] === 0xff) || (v6[10] === 0 && v6[11] === 0));
  if (mapped && v6[12] === 169 && v6[13] === 254) return true;
  // fd00:ec2::254
  const ec2 = [0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54];
  return v6.every((b, i) => b === ec2[i]);
}

/**
 * Resolves `host` and refuses it when any of its addresses is a metadata address. Returns the
 * addresses, the first of which the request is sent to (so that a second resolution cannot answer
 * differently).
 */
export async function checkedAddresses(host: string, resolve: Resolver): Promise<string[]> {
  const name = bare(host);
  const addresses = isIP(name) ? [name] : await resolve(name);
  if (addresses.length === 0) throw new RefusedAddress(`${name} has no address`);
  if (addresses.some(isMetadataAddress)) throw new RefusedAddress(`${name} is a link-local metadata address: refused`);
  return addresses;
}

export class RefusedAddress extends Error {}
