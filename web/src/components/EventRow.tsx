// One line of the feed: time, event name, resource, the webhook it came through.
import { FAILED_EVENT, webhookOf, type InletEvent } from "../api.ts";
import { TimeAgo } from "./ui.tsx";

export function resourceLabel(e: InletEvent): string {
  return e.resource["prefect.resource.name"] || e.resource["prefect.resource.id"] || "";
}

export function EventRow({ event, fresh, onOpen }: { event: InletEvent; fresh: boolean; onOpen: (e: InletEvent) => void }) {
  const failed = event.event === FAILED_EVENT;
  const hook = webhookOf(event);
  return (
    <li class={`event-row${fresh ? " fresh" : ""}${failed ? " failed" : ""}`}>
      {/* No aria-label: the row is named by what it shows (time, event, resource, webhook), with
          hidden commas so a screen reader pauses between them. */}
      <button type="button" class="event-button" onClick={() => onOpen(event)}>
        <span class="event-time">
          <TimeAgo iso={event.occurred} />
        </span>
        <span class="sr-only">, </span>
        <span class="event-name mono">
          {failed && <span class="badge danger">failed</span>} {event.event}
        </span>
        <span class="sr-only">, on </span>
        <span class="event-resource mono" title={event.resource["prefect.resource.id"]}>
          {resourceLabel(event)}
        </span>
        {hook && <span class="sr-only">, via webhook </span>}
        <span class="event-hook">{hook ? hook.name || hook.id.slice(0, 8) : ""}</span>
      </button>
    </li>
  );
}
