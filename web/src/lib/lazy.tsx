// Pages loaded on first visit, from their own chunk, so that the feed (the page most visits are for)
// does not download them.
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ErrorBox, Spinner } from "../components/ui.tsx";

export function lazyPage<M, P extends object>(load: () => Promise<M>, pick: (m: M) => ComponentType<P>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  return function LazyPage(props: P) {
    const [Page, setPage] = useState(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Page) return;
      load().then(
        (m) => {
          loaded = pick(m);
          setPage(() => loaded);
        },
        () => setFailed(true),
      );
    }, []);
    if (failed) return <ErrorBox message="This page could not be loaded. Reload to try again." />;
    return Page ? <Page {...props} /> : <Spinner label="Loading" />;
  };
}
