// HTTP/1.1 over a bare TCP socket, for requests fetch() will not send as written (a Host header of
// our choosing, a malformed one, none at all). The request should say `Connection: close`.
import { connect } from "node:net";

export interface RawResponse {
  status: number;
  /** Header names lowercased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

export function rawRequest(port: number, text: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => (received += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const split = received.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = received.slice(0, split === -1 ? undefined : split).split("\r\n");
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, body: split === -1 ? "" : received.slice(split + 4) });
    });
  });
}

/** A request head (and body) as a client would write it; `Connection: close` is added. */
export function rawHead(method: string, target: string, headers: Record<string, string>, body = "", version = "HTTP/1.1"): string {
  const lines = [`${method} ${target} ${version}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  lines.push("Connection: close");
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
