// The reverse-proxy examples in deploy/, run for real in front of a test server: the file as a
// user copies it, with only what a test must change (the public name becomes a loopback port,
// TLS is left out, the upstream is the test server's port).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, freePort, tempDir } from "./cli.ts";

export interface RunningProxy {
  url: string;
  logs(): string;
  stop(): Promise<void>;
}

function spawnLogged(cmd: string[], env: Record<string, string>) {
  const proc = Bun.spawn(cmd, { env: { PATH: process.env.PATH ?? "", ...env }, stdout: "pipe", stderr: "pipe" });
  let output = "";
  for (const stream of [proc.stdout, proc.stderr] as ReadableStream<Uint8Array>[]) {
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
    })();
  }
  return { proc, logs: () => output };
}

/** Resolves once the proxy passes a health check through to Inlet; rejects with its output if it exits or never does. */
async function listening(url: string, logs: () => string, exited: () => boolean): Promise<void> {
  const deadline = performance.now() + 15_000;
  for (;;) {
    if (exited()) throw new Error(`the proxy exited:\n${logs()}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    if (performance.now() > deadline) throw new Error(`the proxy did not answer within 15 s:\n${logs()}`);
    await Bun.sleep(20);
  }
}

/** deploy/nginx.conf's server block, inside the smallest nginx.conf that runs in the foreground. */
export async function startNginx(upstreamPort: number): Promise<RunningProxy> {
  const dir = tempDir("inlet-nginx-");
  const port = await freePort();
  const site = readFileSync(join(REPO, "deploy/nginx.conf"), "utf8")
    .replace("server 127.0.0.1:4280;", `server 127.0.0.1:${upstreamPort};`)
    .replace(/^\s*listen \[::\]:443 ssl;\n/m, "")
    .replace(/listen 443 ssl;/, `listen 127.0.0.1:${port};`)
    .replace(/^\s*(http2 on|ssl_certificate|ssl_certificate_key)\b.*\n/gm, "");
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir.path, sub));
  const conf = join(dir.path, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off;
${process.getuid?.() === 0 ? "user root;" : ""}
pid ${dir.path}/nginx.pid;
error_log stderr warn;
events {}
http {
  access_log off;
  client_body_temp_path ${dir.path}/client_body;
  proxy_temp_path ${dir.path}/proxy;
  fastcgi_temp_path ${dir.path}/fastcgi;
  uwsgi_temp_path ${dir.path}/uwsgi;
  scgi_temp_path ${dir.path}/scgi;
${site}
}
`,
  );
  const { proc, logs } = spawnLogged(["nginx", "-p", dir.path, "-c", conf], {});
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await listening(url, logs, () => exited);
  return {
    url,
    logs,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      dir.remove();
    },
  };
}

/** deploy/Caddyfile, serving plain HTTP on a loopback port, with Caddy's admin endpoint off. */
export async function startCaddy(upstreamPort: number): Promise<RunningProxy> {
  const dir = tempDir("inlet-caddy-");
  const port = await freePort();
  const caddyfile = readFileSync(join(REPO, "deploy/Caddyfile"), "utf8")
    .replace("reverse_proxy 127.0.0.1:4280", `reverse_proxy 127.0.0.1:${upstreamPort}`)
    .replace(/^inlet\.example\.com \{/m, `{\n\tadmin off\n\tauto_https off\n\tgrace_period 1s\n}\n\nhttp://127.0.0.1:${port} {`);
  const file = join(dir.path, "Caddyfile");
  writeFileSync(file, caddyfile);
  const { proc, logs } = spawnLogged(["caddy", "run", "--config", file, "--adapter", "caddyfile"], {
    HOME: dir.path,
    XDG_DATA_HOME: join(dir.path, "data"),
    XDG_CONFIG_HOME: join(dir.path, "config"),
  });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  await listening(url, logs, () => exited);
  return {
    url,
    logs,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      dir.remove();
    },
  };
}
