// Serves the admin SPA (web/dist, built by `bun run build:web`). In the compiled binary the folder is
// embedded with `--asset ./web/dist` and lives under /$bunfs/root/dist (only the last path component
// is kept); in development it is read from the repository. Any path that is not a file and does not
// look like one gets index.html, so deep links (/webhooks/…) survive a reload.
import { Elysia } from "elysia";
import { join, normalize } from "node:path";
import { accessControl } from "./auth/access.ts";
import { AppError, errorResponse, hookResponse } from "./errors.ts";

export function uiRoot(): string {
  return Bun.isStandaloneExecutable ? join(import.meta.dir, "dist") : join(import.meta.dir, "..", "web", "dist");
}

/** Hashed bundle outputs never change under one name; everything else must be revalidated. */
const IMMUTABLE = "public, max-age=31536000, immutable";
const REVALIDATE = "no-cache";

/**
 * No external origin is ever needed: the UI loads nothing from a CDN and talks only to this server.
 * Style elements need this response's nonce: the template editor (CodeMirror) creates its style
 * sheets at run time and is given the nonce from a meta tag; nothing else may add one. Style
 * attributes stay allowed (Preact's style props, the chart's layout): they cannot run code.
 */
export function securityHeaders(nonce: string): Record<string, string> {
  return {
    "content-security-policy":
      "default-src 'self'; script-src 'self'; style-src 'self'; " +
      `style-src-elem 'self' 'nonce-${nonce}'; style-src-attr 'unsafe-inline'; ` +
      "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; " +
      "form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
  };
}

/** A fresh nonce per page load (128 bits, base64), as CSP nonces must be unguessable. */
const newNonce = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");

/** The page with its nonce where scripts can read it (`<meta property="csp-nonce">`, read via `.nonce`). */
export function withNonce(html: string, nonce: string): string {
  return html.replace("</head>", `<meta property="csp-nonce" nonce="${nonce}" />\n</head>`);
}

/** The file a URL path names inside root, or null for anything that tries to leave it. */
export function resolveAsset(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0") || decoded.split("/").includes("..")) return null;
  const file = normalize(join(root, decoded));
  return file.startsWith(root + "/") ? file : null;
}

const looksLikeFile = (path: string) => /\.[A-Za-z0-9]{1,8}$/.test(path);

export function uiRoutes(root = uiRoot()) {
  const index = join(root, "index.html");

  const serveIndex = async () => {
    const file = Bun.file(index);
    if (!(await file.exists())) {
      return new Response("The admin UI is not built. Run `bun run build:web` (or `npm run build`).\n", {
        status: 503,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    const nonce = newNonce();
    return new Response(withNonce(await file.text(), nonce), {
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": REVALIDATE, ...securityHeaders(nonce) },
    });
  };

  return (
    new Elysia()
      .use(accessControl())
      .get("/", serveIndex, { access: "public" })
      // `.all`, not `.get`: Elysia prefers a method-specific wildcard over `.all("/hooks/:slug")`.
      .all(
        "/*",
        async ({ path, request }) => {
          // Hook paths stay quiet; API paths keep their JSON 404; only GET/HEAD may get the page.
          if (path.startsWith("/hooks/") || path === "/hooks") return hookResponse("not_found");
          if (path === "/api" || path.startsWith("/api/") || (request.method !== "GET" && request.method !== "HEAD")) {
            return errorResponse(new AppError("not_found"));
          }
          if (!looksLikeFile(path)) return serveIndex();
          const asset = resolveAsset(root, path);
          if (asset && path !== "/index.html") {
            const file = Bun.file(asset);
            if (await file.exists()) {
              const cache = path.startsWith("/assets/") ? IMMUTABLE : REVALIDATE;
              return new Response(file, { headers: { "cache-control": cache, "x-content-type-options": "nosniff" } });
            }
          }
          if (path === "/index.html") return serveIndex();
          return errorResponse(new AppError("not_found"));
        },
        { access: "public" },
      )
  );
}
