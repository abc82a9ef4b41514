// The webhook editor's view of `verification`: what each provider signs with, where its secret is
// found on the provider's side, and the draft the editor keeps (secrets typed here only; the API
// never shows them back).
import type { VerificationView } from "../../../src/verification/model.ts";

export type SchemeChoice = "" | VerificationView["scheme"];

export interface Provider {
  scheme: Exclude<SchemeChoice, "">;
  label: string;
  /** Where to paste Inlet's URL and where to find (or set) the secret on the provider's side. */
  where: string;
  timestamped: boolean;
}

export const PROVIDERS: readonly Provider[] = [
  {
    scheme: "github",
    label: "GitHub",
    where:
      "Repository or organization → Settings → Webhooks → Add webhook: paste this URL as Payload URL, choose application/json, and type the same secret in Secret.",
    timestamped: false,
  },
  {
    scheme: "gitlab",
    label: "GitLab (secret token)",
    where:
      "Project → Settings → Webhooks: paste this URL, and the same value in Secret token. For a signing token (whsec_…) choose Standard Webhooks instead.",
    timestamped: false,
  },
  {
    scheme: "stripe",
    label: "Stripe",
    where: "Developers → Webhooks → Add endpoint with this URL, then reveal the endpoint's Signing secret (whsec_…) and paste it here.",
    timestamped: true,
  },
  {
    scheme: "slack",
    label: "Slack",
    where:
      "Your app → Basic Information → App Credentials: copy the Signing Secret here, then paste this URL as the Events API Request URL (Inlet answers Slack's challenge).",
    timestamped: true,
  },
  {
    scheme: "shopify",
    label: "Shopify",
    where:
      "Your app's client secret (Partner Dashboard → App → Client credentials), or for a store's own webhooks the key shown under Settings → Notifications → Webhooks.",
    timestamped: false,
  },
  {
    scheme: "standard-webhooks",
    label: "Standard Webhooks / Svix",
    where: "The endpoint's signing secret (whsec_…) from the sender's dashboard (Svix, Clerk, Resend, GitLab signing tokens…).",
    timestamped: true,
  },
  {
    scheme: "hmac",
    label: "Other (HMAC of the body)",
    where: "Any sender that puts an HMAC of the raw body in a header: give the header, algorithm, encoding and prefix it uses.",
    timestamped: false,
  },
];

export interface VerificationDraft {
  scheme: SchemeChoice;
  /** Typed here; empty strings keep what is stored (when the scheme is unchanged). */
  secret: string;
  rotationSecret: string;
  tolerance: string;
  header: string;
  algorithm: "sha1" | "sha256" | "sha512";
  encoding: "hex" | "base64";
  prefix: string;
}

export function draftOf(v: VerificationView | null): VerificationDraft {
  return {
    scheme: v?.scheme ?? "",
    secret: "",
    rotationSecret: "",
    tolerance: v?.tolerance_seconds ? String(v.tolerance_seconds) : "",
    header: v?.header ?? "",
    algorithm: v?.algorithm ?? "sha256",
    encoding: v?.encoding ?? "hex",
    prefix: v?.prefix ?? "",
  };
}

/** The API's `verification` for a draft; undefined leaves the stored one as it is. */
export function verificationBody(d: VerificationDraft, stored: VerificationView | null): unknown {
  if (d.scheme === "") return stored ? null : undefined;
  const out: Record<string, unknown> = { scheme: d.scheme };
  // The secret field replaces what is stored; the rotation field alone adds to it.
  if (d.secret !== "") out.secrets = [d.secret, d.rotationSecret].filter((s) => s !== "");
  else if (d.rotationSecret !== "") {
    if (stored?.scheme === d.scheme) out.add_secret = d.rotationSecret;
    else out.secrets = [d.rotationSecret];
  }
  const provider = PROVIDERS.find((p) => p.scheme === d.scheme);
  if (provider?.timestamped && d.tolerance.trim() !== "") out.tolerance_seconds = Number(d.tolerance);
  if (d.scheme === "hmac") Object.assign(out, { header: d.header, algorithm: d.algorithm, encoding: d.encoding, prefix: d.prefix });
  return out;
}
