// X-Request-Id: one id per request, on its answer and in its log line, so that a user can quote it
// and an operator find the line. A proxy's id (nginx's $request_id, Caddy's {http.request.uuid})
// is kept when it looks like one; anything else a client sends is replaced, so that an id in the
// log never carries a stranger's text.
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

const ids = new WeakMap<Request, string>();

/** The request's id: the one it arrived with if well-formed, otherwise a new one; the same for every call. */
export function requestId(request: Request): string {
  let id = ids.get(request);
  if (id === undefined) {
    const given = request.headers.get("x-request-id");
    id = given !== null && REQUEST_ID.test(given) ? given : Bun.randomUUIDv7();
    ids.set(request, id);
  }
  return id;
}
