// API messages are written for API clients: "service_account_id: no service account has this id".
// In the UI a field's label reads better than its JSON name, and a few messages need a sentence.

const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  description: "Description",
  template: "Template",
  service_account_id: "Service account",
  enabled: "Enabled",
  email: "Email",
  password: "Password",
  role: "Role",
};

const SENTENCES: [RegExp, string][] = [
  [
    /^enforce_webhook_auth is on\b/,
    "Authentication is required on every webhook (see Settings): choose a service account for this webhook, whose key its senders must send.",
  ],
];

export function readableMessage(message: string): string {
  for (const [pattern, sentence] of SENTENCES) if (pattern.test(message)) return sentence;
  const field = /^([a-z_]+): (.+)$/s.exec(message);
  if (field && FIELD_LABELS[field[1]!]) {
    const rest = field[2]!;
    return `${FIELD_LABELS[field[1]!]}: ${rest.charAt(0).toLowerCase()}${rest.slice(1)}`;
  }
  return message;
}
