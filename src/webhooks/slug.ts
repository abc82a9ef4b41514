import { randomBytes } from "node:crypto";

/** 16 bytes from the CSPRNG, base64url without padding: 22 characters, as Prefect Cloud's hook URLs. */
export function newSlug(): string {
  return randomBytes(16).toString("base64url");
}

export const SLUG_PATTERN = /^[A-Za-z0-9_-]{22}$/;
