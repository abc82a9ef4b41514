// Real HTTP receivers on loopback (port 0) for delivery tests: each records what reached it and
// answers as its handler says.
export interface Received {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  stop(): Promise<void>;
}

export function startReceiver(answer: (req: Received, n: number) => Response | Promise<Response> = () => new Response("ok")): Receiver {
  const received: Received[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const req: Received = {
        method: request.method,
        path: new URL(request.url).pathname,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      };
      received.push(req);
      return await answer(req, received.length);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port!,
    received,
    stop: () => server.stop(true),
  };
}

/** Answers from a list, in order (the last repeats). */
export const answers =
  (...statuses: number[]) =>
  (_req: Received, n: number) =>
    new Response(`answer ${n}`, { status: statuses[Math.min(n, statuses.length) - 1] });
