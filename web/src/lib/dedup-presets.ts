// The dedup keys the webhook editor offers (README, "Senders that sign"): each provider's redelivery id, which a retry or a
// manual resend keeps (GitHub's X-GitHub-Delivery, Stripe's event id, …).
export interface DedupPreset {
  provider: string;
  key: string;
}

export const DEDUP_PRESETS: readonly DedupPreset[] = [
  { provider: "GitHub", key: "{{ headers['x-github-delivery'] }}" },
  { provider: "Stripe", key: "{{ body.id }}" },
  { provider: "Standard Webhooks", key: "{{ headers['webhook-id'] or headers['svix-id'] }}" },
  { provider: "GitLab", key: "{{ headers['idempotency-key'] }}" },
  { provider: "Shopify", key: "{{ headers['x-shopify-webhook-id'] }}" },
  { provider: "CloudEvents", key: "{{ headers['ce-source'] }} {{ headers['ce-id'] }}" },
  { provider: "Slack", key: "{{ body.event_id }}" },
];
