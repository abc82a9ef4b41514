// The automation pages, bundled as one chunk that loads on the first visit to any of them.
export { AutomationEditPage } from "./AutomationEdit.tsx";
export { AutomationsPage } from "./Automations.tsx";
export { DeliveriesPage } from "./Deliveries.tsx";
export { DestinationsPage } from "./Destinations.tsx";
