// Shared by `make bench` and `make soak`: free ports, starting the release binaries and waiting for
// them, signing in over plain HTTP like a browser, RSS of a process, quantiles.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export const repo = path.resolve(import.meta.dirname, "../..");
export const DEMO_PASSWORD = "demo-password";
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The `q` quantile (0–1) of `values`, nearest rank. */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Resident and peak resident memory of process `pid`, KiB (Linux `/proc`). */
export function rssKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const get = (key) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))[1]);
  return { rss: get("VmRSS"), peak: get("VmHWM") };
}

/** Starts `command` from the repository root with only PATH and `env`; keeps its output. */
export function start(command, args, env) {
  let output = "";
  const child = spawn(command, args, { cwd: repo, env: { PATH: process.env.PATH, ...env } });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  process.on("exit", () => child.kill());
  return { child, output: () => output };
}

/** Waits until `url` answers below 500 (30 s at most), failing early if the process exits. */
export async function waitUntilUp(url, { child, output }) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${output()}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch {}
    await sleep(100);
  }
  throw new Error(`${url} did not come up: ${output()}`);
}

/** `name=value` of each cookie a response sets. */
export function cookiesOf(response) {
  return response.headers.getSetCookie().map((c) => c.split(";")[0]);
}

/** Signs in to the app at `app` over HTTP: /sign-in → the AuthKit form at `workos` → /callback.
 *  Returns the `wos-session=…` cookie. */
export async function signIn(app, workos, email, password = DEMO_PASSWORD) {
  const start = await fetch(`${app}/sign-in?return_to=/`, { redirect: "manual" });
  const verifier = cookiesOf(start);
  const authorize = new URL(start.headers.get("location"));
  const form = new URLSearchParams(authorize.searchParams);
  form.set("email", email);
  form.set("password", password);
  const signedIn = await fetch(`${workos}/user_management/authorize`, { method: "POST", body: form, redirect: "manual" });
  const callback = await fetch(signedIn.headers.get("location"), { headers: { cookie: verifier.join("; ") }, redirect: "manual" });
  const session = cookiesOf(callback).find((c) => c.startsWith("wos-session="));
  if (!session) throw new Error(`sign-in failed: ${callback.status}`);
  return session;
}

/**
 * Two app instances sharing nothing but configuration, in WorkOS mode against the standalone
 * emulator (`emulatorBin`, state in `stateFile`), behind a proxy on its own port that alternates
 * between them per request and says which served an answer (`x-served-by`). Returns the proxy's
 * and the emulator's URLs, the processes, the per-instance count of proxied requests (`served`),
 * and `stop()`.
 */
export async function startScaleOut({ appBin, emulatorBin, stateFile, apiKey, clientId, cookiePassword, rustLog = "warn" }) {
  const { createServer, request } = await import("node:http");
  const proxyPort = await freePort();
  const proxyURL = `http://127.0.0.1:${proxyPort}`;
  const workosPort = await freePort();
  const workosURL = `http://127.0.0.1:${workosPort}`;
  const workos = start(emulatorBin, ["--port", String(workosPort), "--api-key", apiKey, "--client-id", clientId, "--allowed-origin", proxyURL, "--state", stateFile], { RUST_LOG: rustLog });
  await waitUntilUp(`${workosURL}/_emulator/health`, workos);
  const instances = [];
  for (const name of ["a", "b"]) {
    const port = await freePort();
    const instance = start(appBin, [], {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: path.join(repo, "target/site"),
      LEPTOS_ENV: "PROD",
      WORKOS_API_KEY: apiKey,
      WORKOS_CLIENT_ID: clientId,
      WORKOS_COOKIE_PASSWORD: cookiePassword,
      WORKOS_API_HOSTNAME: "127.0.0.1",
      WORKOS_API_PORT: String(workosPort),
      WORKOS_API_HTTPS: "false",
      WORKOS_REDIRECT_URI: `${proxyURL}/callback`,
      RUST_LOG: rustLog,
    });
    await waitUntilUp(`http://127.0.0.1:${port}/healthz`, instance);
    instances.push({ name, port, ...instance });
  }
  let turn = 0;
  const served = Object.fromEntries(instances.map((i) => [i.name, 0]));
  const proxy = createServer((req, res) => {
    const instance = instances[turn++ % instances.length];
    served[instance.name]++;
    const upstream = request({ host: "127.0.0.1", port: instance.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, { ...answer.headers, "x-served-by": instance.name });
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise((resolve) => proxy.listen(proxyPort, "127.0.0.1", resolve));
  const stop = () => {
    proxy.close();
    for (const instance of instances) instance.child.kill("SIGTERM");
    workos.child.kill("SIGTERM");
  };
  return { proxyURL, workosURL, workos, instances, served, stop };
}

/**
 * Replaces the generated block of `file`, from `<!-- name:start` to `<!-- name:end -->`, with
 * `lines` (which carry both markers again); throws when either marker is missing.
 */
export function replaceMarked(file, name, lines) {
  const current = fs.readFileSync(file, "utf8");
  const end = `<!-- ${name}:end -->`;
  const startMark = current.indexOf(`<!-- ${name}:start`);
  const endMark = current.indexOf(end);
  if (startMark < 0 || endMark < 0) throw new Error(`${path.basename(file)} has no ${name} markers`);
  fs.writeFileSync(file, current.slice(0, startMark) + lines.join("\n") + current.slice(endMark + end.length));
}
