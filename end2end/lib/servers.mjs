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
