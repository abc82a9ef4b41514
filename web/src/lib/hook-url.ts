// A hook URL as the admin UI shows it. The server names hooks with its base URL; when it listens on
// every interface without --base-url, that is "http://0.0.0.0:4280", which no sender can reach. The
// browser knows an address that works (the one it used), so the UI shows that one instead.

const WILDCARD_HOSTS = new Set(["0.0.0.0", "[::]"]);

/** The URL with a wildcard address's origin replaced by the page's own; any other URL as it is. */
export function shownHookUrl(url: string, pageOrigin: string = globalThis.location?.origin ?? ""): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (!WILDCARD_HOSTS.has(parsed.hostname) || !pageOrigin) return url;
  return pageOrigin + url.slice(parsed.origin.length);
}
