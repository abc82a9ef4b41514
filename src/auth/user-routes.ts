// Sign-in (first-run setup, login, logout, me) and user management for the admin UI.
// authRoutes are public (they are how one gets a session); userRoutes are for admins only.
import { Elysia, t } from "elysia";
import type { AppContext } from "../context.ts";
import { AppError, errorResponse, notFound } from "../errors.ts";
import { accessControl } from "./access.ts";
import { clientAddress, secureCookies } from "./client-address.ts";
import { isSameOrigin, principalOf } from "./guard.ts";
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from "./sessions.ts";
import { checkPassword, normalizeEmail, USER_ROLES, type User, type UserRole } from "./users.ts";

const WRONG_CREDENTIALS = "Wrong email or password";

const credentials = {
  email: t.String({ minLength: 1, maxLength: 320 }),
  password: t.String({ minLength: 1, maxLength: 1024 }),
};
// Not t.UnionEnum: Elysia fills a missing UnionEnum field with its first value ("admin"), which
// would turn "role forgotten" into "make an admin". Literals make a missing role a 422.
const roleSchema = t.Union(USER_ROLES.map((r) => t.Literal(r)));

export function authRoutes(ctx: AppContext) {
  /** Starts a session and sets its cookie; a user deleted meanwhile is refused like a wrong password. */
  const signIn = (user: User, request: Request, set: { headers: Record<string, string | number> }) => {
    const session = ctx.sessions.create(user.id);
    if (!session) throw new AppError("unauthorized", WRONG_CREDENTIALS);
    set.headers["set-cookie"] = sessionCookie(session.token, session.expires, ctx.clock.now(), secureCookies(ctx.config.baseUrl, request));
    return user;
  };

  /** Login CSRF: a cross-site page must not sign the browser in (or out) as someone else. */
  const refuseCrossSite = (request: Request) => {
    const sent = request.headers.get("origin") ?? request.headers.get("referer");
    if (sent && !isSameOrigin(ctx.config, request))
      throw new AppError("forbidden", "Cross-site request refused (Origin does not match this server)");
  };

  // Public: these are how a browser gets a session.
  return new Elysia({ prefix: "/api/auth" })
    .use(accessControl(ctx))
    .get("/setup", () => ({ needed: ctx.users.count("admin") === 0 }), { access: "public" })
    .post(
      "/setup",
      async ({ body, request, set }) => {
        refuseCrossSite(request);
        if (ctx.users.count("admin") > 0) throw new AppError("conflict", "Setup is already done; sign in instead");
        // Validate first, so that a typo in the form does not spend the link.
        normalizeEmail(body.email);
        checkPassword(body.password);
        if (!ctx.setup.consume(body.token))
          throw new AppError("forbidden", "The setup link is invalid or was already used; restart the server for a new one");
        const user = await ctx.users.create({ email: body.email, password: body.password, role: "admin" });
        set.status = 201;
        ctx.logger.info("first admin created through the setup link", { user: user.email });
        return signIn(user, request, set);
      },
      { access: "public", body: t.Object({ token: t.String({ maxLength: 200 }), ...credentials }) },
    )
    .post(
      "/login",
      async ({ body, request, set, server }) => {
        refuseCrossSite(request);
        const ip = clientAddress(server, request);
        const email = body.email.trim().toLowerCase();
        // Counted before the password check, which takes a while: see throttle.ts.
        const wait = ctx.loginThrottle.begin(ip, email);
        if (wait > 0) {
          const err = new AppError("too_many_requests", `Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} min`);
          return errorResponse(err, { "retry-after": String(wait) });
        }
        const user = await ctx.users.verify(email, body.password);
        if (!user) {
          ctx.logger.warn("failed sign-in", { ip, email });
          throw new AppError("unauthorized", WRONG_CREDENTIALS);
        }
        const signedIn = signIn(user, request, set);
        ctx.loginThrottle.succeed(ip, email);
        return signedIn;
      },
      { access: "public", body: t.Object(credentials) },
    )
    .post(
      "/logout",
      ({ request, set }) => {
        refuseCrossSite(request);
        const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
        if (token) ctx.sessions.revoke(token);
        set.headers["set-cookie"] = clearedSessionCookie(secureCookies(ctx.config.baseUrl, request));
        set.status = 204;
      },
      { access: "public" },
    )
    .get(
      "/me",
      ({ request }) => {
        const p = principalOf(ctx, request);
        if (!p) throw new AppError("unauthorized", "Not signed in");
        if (p.kind === "service_account") return { kind: p.kind, id: p.id, name: p.name, role: p.role };
        return { kind: p.kind, ...ctx.users.get(p.id)! };
      },
      { access: "public" },
    );
}

/** /api/users: admins only, even to read. */
export function userRoutes(ctx: AppContext) {
  const self = (request: Request) => {
    const p = principalOf(ctx, request);
    return p?.kind === "user" ? p : null;
  };

  return new Elysia({ prefix: "/users" })
    .use(accessControl(ctx))
    .get("/", () => ctx.users.list(), { access: "admin" })
    .post(
      "/",
      async ({ body, set }) => {
        const user = await ctx.users.create(body);
        set.status = 201;
        return user;
      },
      { access: "admin", body: t.Object({ ...credentials, role: roleSchema }, { additionalProperties: false }) },
    )
    .get("/:id", ({ params }) => ctx.users.get(params.id) ?? Promise.reject(notFound("User not found")), { access: "admin" })
    .patch(
      "/:id",
      async ({ params, body, request }) => {
        const me = self(request);
        if (me?.id === params.id && body.role && body.role !== me.role)
          throw new AppError("rule_violation", "You cannot change your own role");
        const user = await ctx.users.update(params.id, body as { role?: UserRole; password?: string });
        if (!user) throw notFound("User not found");
        // A new password or a lower role ends the user's other sessions (keeping the one making the change).
        if (body.password !== undefined || body.role !== undefined) ctx.sessions.revokeUser(user.id, me?.sessionId);
        return user;
      },
      {
        access: "admin",
        body: t.Object(
          { role: t.Optional(roleSchema), password: t.Optional(t.String({ maxLength: 1024 })) },
          { additionalProperties: false },
        ),
      },
    )
    .delete(
      "/:id",
      ({ params, request, set }) => {
        if (self(request)?.id === params.id) throw new AppError("rule_violation", "You cannot delete your own account");
        if (!ctx.users.delete(params.id)) throw notFound("User not found");
        set.status = 204;
      },
      { access: "admin" },
    );
}
