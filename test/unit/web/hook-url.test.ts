// What the admin UI shows as a hook's URL when the server names itself by a wildcard address.
import { expect, test } from "bun:test";
import { shownHookUrl } from "../../../web/src/lib/hook-url.ts";

const PAGE = "http://192.168.1.5:4280";

test.each([
  // Listening on every interface without --base-url: the browser's own origin is the one that works.
  ["http://0.0.0.0:4280/hooks/abcdefghijklmnopqrstuv", "http://192.168.1.5:4280/hooks/abcdefghijklmnopqrstuv"],
  ["http://[::]:4280/hooks/abcdefghijklmnopqrstuv", "http://192.168.1.5:4280/hooks/abcdefghijklmnopqrstuv"],
  // A viewer sees a masked URL; it is rewritten the same way.
  ["http://0.0.0.0:4280/hooks/abcd…", "http://192.168.1.5:4280/hooks/abcd…"],
  // A real base URL (or loopback) is what the operator chose: kept, whatever the browser used.
  ["https://hooks.example.com/hooks/abcdefghijklmnopqrstuv", "https://hooks.example.com/hooks/abcdefghijklmnopqrstuv"],
  ["http://127.0.0.1:4280/hooks/abcdefghijklmnopqrstuv", "http://127.0.0.1:4280/hooks/abcdefghijklmnopqrstuv"],
  ["not a url", "not a url"],
])("%s → %s", (url, shown) => {
  expect(shownHookUrl(url, PAGE)).toBe(shown);
});

test("with no page origin (not in a browser) the URL is kept", () => {
  expect(shownHookUrl("http://0.0.0.0:4280/hooks/x", "")).toBe("http://0.0.0.0:4280/hooks/x");
});
