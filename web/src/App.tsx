// The shell: who is signed in, which page to show.
import { useEffect, useState } from "preact/hooks";
import { api, onUnauthorized, type Me } from "./api.ts";
import { Layout } from "./components/Layout.tsx";
import { ErrorBox, Spinner } from "./components/ui.tsx";
import { EventPage } from "./pages/EventPage.tsx";
import { FeedPage } from "./pages/Feed.tsx";
import { FailuresPage } from "./pages/Failures.tsx";
import { LoginPage } from "./pages/Login.tsx";
import { NotFoundPage } from "./pages/NotFound.tsx";
import { ServiceAccountsPage } from "./pages/ServiceAccounts.tsx";
import { SettingsPage } from "./pages/Settings.tsx";
import { SetupPage } from "./pages/Setup.tsx";
import { UsersPage } from "./pages/Users.tsx";
import { WebhookEditPage } from "./pages/WebhookEdit.tsx";
import { WebhooksPage } from "./pages/Webhooks.tsx";
import { match, navigate, useLocation } from "./router.tsx";
import { MeContext } from "./session.ts";
import { lazyPage } from "./lib/lazy.tsx";

const automationPages = () => import("./pages/automation-pages.ts");
const AutomationsPage = lazyPage(automationPages, (m) => m.AutomationsPage);
const AutomationEditPage = lazyPage(automationPages, (m) => m.AutomationEditPage);
const DeliveriesPage = lazyPage(automationPages, (m) => m.DeliveriesPage);
const DestinationsPage = lazyPage(automationPages, (m) => m.DestinationsPage);

export const ROUTES: [string, (p: Record<string, string>) => preact.JSX.Element][] = [
  ["/", () => <FeedPage />],
  ["/webhooks", () => <WebhooksPage />],
  ["/webhooks/new", () => <WebhookEditPage />],
  ["/webhooks/:id", (p) => <WebhookEditPage id={p.id} />],
  ["/failures", () => <FailuresPage />],
  ["/service-accounts", () => <ServiceAccountsPage />],
  ["/settings", () => <SettingsPage />],
  ["/users", () => <UsersPage />],
  ["/automations", () => <AutomationsPage />],
  ["/automations/new", () => <AutomationEditPage />],
  ["/automations/:id", (p) => <AutomationEditPage key={p.id} id={p.id} />],
  ["/automations/:id/deliveries", (p) => <DeliveriesPage id={p.id} />],
  ["/destinations", () => <DestinationsPage />],
  ["/events/:id", (p) => <EventPage id={p.id} />],
];

export function App() {
  const { path } = useLocation();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);

  const load = () => api<Me>("GET", "/api/auth/me").then(setMe, (e) => (e.status === 401 ? setMe(null) : setError(e.message)));

  useEffect(() => {
    load();
    return onUnauthorized(() => setMe(null));
  }, []);

  if (path === "/setup")
    return (
      <SetupPage
        onDone={(m) => {
          setMe(m);
          navigate("/", true);
        }}
      />
    );
  if (error)
    return (
      <main class="center">
        <ErrorBox
          message={error}
          retry={() => {
            setError(null);
            load();
          }}
        />
      </main>
    );
  if (me === undefined)
    return (
      <main class="center">
        <Spinner label="Loading" />
      </main>
    );
  if (me === null) return <LoginPage onDone={setMe} />;

  let page: preact.JSX.Element | null = null;
  for (const [pattern, view] of ROUTES) {
    const params = match(pattern, path);
    if (params) {
      page = view(params);
      break;
    }
  }
  return (
    <MeContext.Provider value={me}>
      <Layout onSignedOut={() => setMe(null)}>{page ?? <NotFoundPage />}</Layout>
    </MeContext.Provider>
  );
}
