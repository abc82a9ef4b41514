// Verification secrets at rest: AES-256-GCM under a key kept in the data directory, apart from the
// database, so that a copied inlet.db (or a backup of it) alone reveals no secret. The key file is
// created on first start, readable by the server's user only.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Verification, VerificationView } from "./model.ts";

type SealedVerification = VerificationView & { secrets: string };

/** What a sealed verification shows without its key: the settings and the number of secrets. */
export function sealedView(column: string | null): VerificationView | null {
  if (column === null) return null;
  const { secrets: _, ...view } = JSON.parse(column) as SealedVerification;
  return view;
}

/** The key's file name in the data directory; `inlet backup` reminds users to keep it. */
export const KEY_FILE = "secrets.key";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";
/** Decrypted verifications kept for the hot path; past this the cache starts afresh. */
const CACHE_SIZE = 1000;

export class SecretKeyError extends Error {}

export function keyFilePath(dataDir: string): string {
  return join(dataDir, KEY_FILE);
}

/** Reads the data directory's key, creating it (mode 0600) when there is none. */
export function loadOrCreateKey(dataDir: string): Buffer {
  const path = keyFilePath(dataDir);
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${randomBytes(KEY_BYTES).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST") throw err;
    }
    chmodSync(path, 0o600);
  }
  const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
  if (key.length !== KEY_BYTES) throw new SecretKeyError(`${path} is not an Inlet secrets key (32 bytes, base64)`);
  return key;
}

/** Seals and opens webhook verifications: the settings stay readable, the secrets are encrypted. */
export class SecretBox {
  private readonly opened = new Map<string, Verification>();

  constructor(private readonly key: Buffer = randomBytes(KEY_BYTES)) {
    if (key.length !== KEY_BYTES) throw new SecretKeyError("the secrets key must be 32 bytes");
  }

  static forDataDir(dataDir: string): SecretBox {
    return new SecretBox(loadOrCreateKey(dataDir));
  }

  seal(v: Verification): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(v.secrets), "utf8"), cipher.final(), cipher.getAuthTag()]);
    const { secrets: _, ...settings } = v;
    const box = `${VERSION}:${Buffer.concat([iv, sealed]).toString("base64")}`;
    return JSON.stringify({ ...settings, secret_count: v.secrets.length, secrets: box });
  }

  /** The verification a column holds; throws SecretKeyError when this key did not seal it. */
  open(column: string): Verification {
    const hit = this.opened.get(column);
    if (hit) return hit;
    const { secrets, secret_count: _, ...settings } = JSON.parse(column) as SealedVerification;
    const v = { ...settings, secrets: this.decrypt(secrets) } as Verification;
    if (this.opened.size >= CACHE_SIZE) this.opened.clear();
    this.opened.set(column, v);
    return v;
  }

  private decrypt(sealed: string): string[] {
    const raw = Buffer.from(sealed.slice(VERSION.length + 1), "base64");
    if (!sealed.startsWith(`${VERSION}:`) || raw.length < IV_BYTES + TAG_BYTES) throw new SecretKeyError("a sealed secret is malformed");
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
      return JSON.parse(text) as string[];
    } catch {
      throw new SecretKeyError("the verification secrets were sealed with another key (is secrets.key the data directory's own?)");
    }
  }
}
