// `make soak`: the long reliability runs against the release build, on loopback. Rewrites the
// generated part of RELIABILITY.md (between the soak markers).
//
// 1. Load: SOAK_SESSIONS (500) signed-in sessions for SOAK_LOAD_SECS (120 s), each a virtual user that
//    views pages and calls the widget-token function with a think time, keeping the cookies the
//    server sets (access tokens live 2 minutes, so sessions refresh during the run). Errors,
//    p50/p99, RSS, and the WorkOS calls they cost (the emulator's counts, `GET /_emulator/calls`:
//    mints per token-function call, refreshes, JWKS), with the emulator's per-API-key mint limit
//    (600 a minute, as WorkOS's) on; the first minute (every session's first mints) and the
//    second (the steady state of sessions that hold their tokens) apart.
// 2. Faults: the emulator faults ≈ 19 % of WorkOS calls (5 % each: 429 with Retry-After, 500,
//    a 3 s stall, a dropped connection) while a scripted Chromium walks every widget page and
//    50 virtual users keep loading: no panic, no bare 500, no session lost, clear messages.
// 3. Scale-out: two app instances sharing nothing but configuration, in WorkOS mode against the
//    standalone emulator, behind a round-robin proxy on loopback: a session created through one
//    works on both, in a browser and over HTTP.
//
// Needs: target/release/{workos-widgets-host,workos-emulator} and target/site from the release
// build, public/bridge, Chromium.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { cookiesOf, freePort, quantile, replaceMarked, repo, rssKiB, signIn, sleep, start, startScaleOut, waitUntilUp } from "../lib/servers.mjs";

const SESSIONS = Number(process.env.SOAK_SESSIONS ?? 500);
const SECS = Number(process.env.SOAK_SECS ?? 60);
const LOAD_SECS = Number(process.env.SOAK_LOAD_SECS ?? 2 * SECS);
const FAULT_USERS = 50;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const APP_BIN = path.join(repo, "target/release/workos-widgets-host");
const EMULATOR_BIN = path.join(repo, "target/release/workos-emulator");
const USERS = ["alice@acme.test", "bob@acme.test", "carol@globex.test"];
const PAGES = ["/", "/account/profile", "/account/security", "/account/sessions", "/organization/users", "/organization/switch"];
const KINDS = ["user-profile", "user-security", "user-sessions", "organization-switcher", "users-management"];
const BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic"];
/** Each widget page and what its widget shows once it has loaded real data (as Alice, in Acme). */
const WIDGET_READY = {
  "/account/profile": ["user-profile", "alice@acme.test"],
  "/account/security": ["user-security", "Password"],
  "/account/sessions": ["user-sessions", /this device|current/i],
  "/organization/users": ["users-management", "bella.brooks@acme.test"],
  "/organization/switch": ["organization-switcher", "Acme Corp"],
};
const WIDGET_PAGES = Object.keys(WIDGET_READY);
/** "content" when the page's widget shows its data, "error" when the page shows a clear message
 *  (the widget's notice with Try again, or the session banner), else "blank" after 20 s. */
function outcomeOf(page, target) {
  const [widget, text] = WIDGET_READY[target];
  return Promise.race([
    page.locator(`[data-widget="${widget}"]`).getByText(text, typeof text === "string" ? { exact: true } : {}).first().waitFor({ timeout: 20000 }).then(() => "content"),
    page.locator('[role="alert"], [data-testid="session-notice"]').first().waitFor({ timeout: 20000 }).then(() => "error"),
  ]).catch(() => "blank");
}
const json = (method, body) => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const fmt = (n, digits = 0) => (n === undefined || Number.isNaN(n) ? "–" : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const log = (...args) => console.log("[soak]", ...args);

// ---------------------------------------------------------------------------------------------
// The app with its embedded emulator (phases 1 and 2).
const appPort = await freePort();
const emulatorPort = await freePort();
const app = `http://127.0.0.1:${appPort}`;
const emulator = `http://127.0.0.1:${emulatorPort}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "workos-widgets-soak-"));
const server = start(APP_BIN, [], {
  LEPTOS_SITE_ADDR: `127.0.0.1:${appPort}`,
  LEPTOS_SITE_ROOT: path.join(repo, "target/site"),
  LEPTOS_ENV: "PROD",
  WORKOS_EMULATOR_ADDR: `127.0.0.1:${emulatorPort}`,
  WORKOS_EMULATOR_STATE_DIR: stateDir,
  // Warnings, and one line per injected fault (counted below).
  RUST_LOG: "warn,workos_emulator::faults=info",
});
await waitUntilUp(`${app}/healthz`, server);

/** A browser-like session: keeps the cookies the server sets, records every answer. */
class VirtualUser {
  constructor(email, cookie, stats) {
    Object.assign(this, { email, cookie, stats });
  }
  async request(kind, url, init = {}) {
    const started = performance.now();
    let status;
    try {
      const response = await fetch(url, { ...init, redirect: "manual", headers: { ...init.headers, cookie: this.cookie } });
      status = response.status;
      const session = cookiesOf(response).find((c) => c.startsWith("wos-session="));
      if (session === "wos-session=") this.stats.signedOut.push(`${this.email}: ${init.method ?? "GET"} ${new URL(url).pathname} cleared the session`);
      else if (session) this.cookie = session;
      const body = await response.text();
      if (status === 500 && !body.startsWith("{")) this.stats.bare500 += 1;
      if ((status === 303 || status === 307) && response.headers.get("location")?.startsWith("/sign-in")) this.stats.signedOut.push(`${this.email}: ${new URL(url).pathname} went to sign-in`);
      if (status === 401) this.stats.signedOut.push(`${this.email}: ${kind} answered 401`);
    } catch (e) {
      status = "network";
    }
    const ms = performance.now() - started;
    (this.stats.latency[kind] ??= []).push(ms);
    const key = `${kind} ${status}`;
    this.stats.statuses[key] = (this.stats.statuses[key] ?? 0) + 1;
  }
  async page() {
    await this.request("page", `${app}${PAGES[Math.floor(Math.random() * PAGES.length)]}`);
  }
  async mint() {
    const kind = KINDS[Math.floor(Math.random() * KINDS.length)];
    await this.request("mint", `${app}/api/widget_token`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `kind=${kind}` });
  }
  /** Until `deadline`: a page view (80 %) or a token mint (20 %), then 0.5–1.5 s of thinking. */
  async run(deadline) {
    while (performance.now() < deadline) {
      if (Math.random() < 0.8) await this.page();
      else await this.mint();
      await sleep(500 + Math.random() * 1000);
    }
  }
}

const newStats = () => ({ latency: {}, statuses: {}, signedOut: [], bare500: 0 });

async function signInMany(count, stats) {
  const users = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) {
        const i = next++;
        const email = USERS[i % USERS.length];
        users.push(new VirtualUser(email, await signIn(app, emulator, email), stats));
      }
    }),
  );
  return users;
}

function sampleMemory(pid, into, everyMs = 5000) {
  const timer = setInterval(() => into.push({ at: Date.now(), ...rssKiB(pid) }), everyMs);
  return () => clearInterval(timer);
}

// ---------------------------------------------------------------------------------------------
// 1. Load.
await fetch(`${emulator}/_emulator/settings`, json("PATCH", { access_token_ttl_secs: 120 }));
const loadStats = newStats();
let t0 = performance.now();
const loadUsers = await signInMany(SESSIONS, loadStats);
const signInSecs = (performance.now() - t0) / 1000;
log(`${loadUsers.length} sessions signed in in ${fmt(signInSecs, 1)} s`);
const loadMemory = [{ at: Date.now(), ...rssKiB(server.child.pid) }];
let stopSampling = sampleMemory(server.child.pid, loadMemory);
const emulatorCalls = async () => (await fetch(`${emulator}/_emulator/calls`)).json();
const settings = await (await fetch(`${emulator}/_emulator/settings`)).json();
/** What the load asked of the app and of WorkOS so far. */
const loadCounts = async () => ({ tokenCalls: (loadStats.latency.mint ?? []).length, pageViews: (loadStats.latency.page ?? []).length, workos: await emulatorCalls() });
const atStart = await loadCounts();
let atHalf;
const half = setTimeout(async () => (atHalf = await loadCounts()), (LOAD_SECS * 1000) / 2);
t0 = performance.now();
await Promise.all(loadUsers.map((u) => u.run(t0 + LOAD_SECS * 1000)));
const loadSecs = (performance.now() - t0) / 1000;
clearTimeout(half);
const atEnd = await loadCounts();
stopSampling();
loadMemory.push({ at: Date.now(), ...rssKiB(server.child.pid) });
log("load done", loadStats.statuses);

// ---------------------------------------------------------------------------------------------
// 2. Faults: ≈ 19 % of WorkOS calls (the browser's /_widgets calls included).
await fetch(`${emulator}/_emulator/settings`, json("PATCH", { access_token_ttl_secs: 90 }));
const faultStats = newStats();
const faultUsers = await signInMany(FAULT_USERS, faultStats);
const FAULTS = [
  { kind: "rate_limit", retry_after_secs: 1 },
  { kind: "error", status: 500 },
  { kind: "delay", delay_ms: 3000 },
  { kind: "drop" },
];
for (const fault of FAULTS) await fetch(`${emulator}/_emulator/faults`, json("POST", { path_prefix: "/", percent: 5, ...fault }));

const browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
const journeys = { pages: 0, content: 0, clearError: 0, messages: {}, blank: [], bare500: 0, signedOut: 0, consoleErrors: 0 };
/** Walks the widget pages as Alice until `deadline`: each page must show its widget's content or a
 *  clear message, and Alice must stay signed in. */
async function browse(deadline) {
  const context = await browser.newContext({ baseURL: app });
  const page = await context.newPage();
  page.on("console", (m) => m.type() === "error" && journeys.consoleErrors++);
  await page.goto("/sign-in?return_to=/");
  for (let attempt = 0; !(await page.getByLabel("Email").isVisible().catch(() => false)); attempt++) {
    if (attempt > 20) throw new Error("the AuthKit page did not load");
    await page.reload().catch(() => {});
    await sleep(500);
  }
  await page.getByLabel("Email").fill("alice@acme.test");
  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${app}/**`, { timeout: 20000 }).catch(() => {});
  for (let i = 0; performance.now() < deadline; i++) {
    const target = WIDGET_PAGES[i % WIDGET_PAGES.length];
    const response = await page.goto(target).catch(() => null);
    journeys.pages++;
    if (response?.status() === 500) journeys.bare500++;
    if (new URL(page.url()).pathname.startsWith("/sign-in") || page.url().startsWith(emulator)) {
      journeys.signedOut++;
      break;
    }
    const outcome = await outcomeOf(page, target);
    if (outcome === "content") journeys.content++;
    else if (outcome === "error") {
      journeys.clearError++;
      const text = ((await page.locator('[role="alert"], [data-testid="session-notice"]').first().innerText().catch(() => "")) ?? "").replace(/\s+/g, " ").trim().slice(0, 100);
      journeys.messages[text] = (journeys.messages[text] ?? 0) + 1;
    } else journeys.blank.push(`${target}: "${((await page.locator("main").innerText().catch(() => "")) ?? "").replace(/\s+/g, " ").slice(0, 120)}"`);
  }
  await context.close();
}

const faultMemory = [{ at: Date.now(), ...rssKiB(server.child.pid) }];
stopSampling = sampleMemory(server.child.pid, faultMemory);
t0 = performance.now();
await Promise.all([browse(t0 + SECS * 1000), ...faultUsers.map((u) => u.run(t0 + SECS * 1000))]);
stopSampling();
await fetch(`${emulator}/_emulator/faults`, { method: "DELETE" });
const injected = (server.output().match(/fault injected/g) ?? []).length;
const panics = (server.output().match(/panicked/g) ?? []).length;
log("faults done", faultStats.statuses, journeys);
// Still serving, and the sessions survived: every fault user's next page is signed in.
let keptAfter = 0;
for (const user of faultUsers) {
  const response = await fetch(`${app}/account/profile`, { headers: { cookie: user.cookie }, redirect: "manual" });
  if (response.status === 200) keptAfter++;
}
await browser.close();
server.child.kill("SIGTERM");

// ---------------------------------------------------------------------------------------------
// 3. Scale-out: two instances, one proxy, the standalone emulator as WorkOS.
const { proxyURL, workosURL, instances, served, stop } = await startScaleOut({
  appBin: APP_BIN,
  emulatorBin: EMULATOR_BIN,
  stateFile: path.join(stateDir, "standalone.json"),
  apiKey: "sk_test_scale",
  clientId: "client_scale",
  cookiePassword: "5c".repeat(32),
});

// Over HTTP: one sign-in (through whichever instances the proxy picks), then page, page, mint,
// mint five times over: each instance serves 10 page views and 5 mints, each signed in as Alice.
const cookie = await signIn(proxyURL, workosURL, "alice@acme.test");
const scaleHttp = { a: { ok: 0, total: 0 }, b: { ok: 0, total: 0 } };
for (let i = 0; i < 20; i++) {
  const mint = i % 4 >= 2;
  const response = mint
    ? await fetch(`${proxyURL}/api/widget_token`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: "kind=user-profile" })
    : await fetch(`${proxyURL}/account/profile`, { headers: { cookie }, redirect: "manual" });
  const by = response.headers.get("x-served-by");
  const body = await response.text();
  scaleHttp[by].total++;
  if (response.status === 200 && (mint ? JSON.parse(body).token : body.includes("Alice Adams"))) scaleHttp[by].ok++;
}
// In a browser: sign in, then each widget page twice (page and token calls land on both).
const scaleBrowser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
const context = await scaleBrowser.newContext({ baseURL: proxyURL });
const page = await context.newPage();
const pageServedBy = { a: 0, b: 0 };
page.on("response", (r) => {
  const by = r.headers()["x-served-by"];
  if (by && (r.request().resourceType() === "document" || r.url().includes("/api/"))) pageServedBy[by]++;
});
await page.goto("/sign-in?return_to=/account/profile");
await page.getByLabel("Email").fill("alice@acme.test");
await page.getByLabel("Password").fill("demo-password");
await page.getByRole("button", { name: "Sign in", exact: true }).click();
let widgetsShown = 0;
for (const target of [...WIDGET_PAGES, ...WIDGET_PAGES]) {
  await page.goto(target);
  const ok = (await outcomeOf(page, target)) === "content";
  await sleep(1000);
  if (ok && (await page.getByTestId("nav-user").textContent())?.includes("Alice Adams")) widgetsShown++;
}
await scaleBrowser.close();
stop();
fs.rmSync(stateDir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// RELIABILITY.md.
const count = (stats, prefix, pred = () => true) => Object.entries(stats.statuses).filter(([k]) => k.startsWith(prefix)).filter(([k]) => pred(k.split(" ")[1])).reduce((n, [, v]) => n + v, 0);
const errorsOf = (stats) => Object.entries(stats.statuses).filter(([k]) => { const s = k.split(" ")[1]; return s === "network" || Number(s) >= 500; }).reduce((n, [, v]) => n + v, 0);
const statusList = (stats) => Object.entries(stats.statuses).sort().map(([k, v]) => `${k}: ${v}`).join(", ");
const lat = (stats, kind) => stats.latency[kind] ?? [];
const mib = (kib) => fmt(kib / 1024, 1);
const cpu = os.cpus();
const lines = [];
lines.push(`<!-- soak:start (generated by \`make soak\` on ${new Date().toISOString().slice(0, 10)}; do not edit by hand) -->`);
lines.push("");
lines.push(`Machine: ${cpu.length} × ${cpu[0]?.model.trim()}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, Linux ${os.release()}; release build; app, emulator, load and Chromium on the same cores.`);
lines.push("");
lines.push(`### 1. Load: ${loadUsers.length} signed-in sessions for ${LOAD_SECS} s`);
lines.push("");
lines.push(`Each session is a virtual user (\`end2end/soak/run.mjs\`) that views a page (80 %) or calls the widget-token function (20 %, a random widget), thinks 0.5–1.5 s, and keeps the cookies the server sets, like a browser. Access tokens live 120 s, so sessions refresh during the run. Users: Alice, Bob and Carol in turn (Bob's users-table mints are refused 403 by design). ${loadUsers.length} sign-ins through AuthKit took ${fmt(signInSecs, 1)} s.`);
lines.push("");
lines.push("| | requests | per second | p50 | p99 | errors (5xx or network) | sessions lost |");
lines.push("|---|---:|---:|---:|---:|---:|---:|");
for (const kind of ["page", "mint"]) {
  const l = lat(loadStats, kind);
  lines.push(`| ${kind === "page" ? "page views" : "token-function calls"} | ${fmt(l.length)} | ${fmt(l.length / loadSecs, 1)} | ${fmt(quantile(l, 0.5), 1)} ms | **${fmt(quantile(l, 0.99), 1)} ms** | ${fmt(count(loadStats, kind, (s) => s === "network" || Number(s) >= 500))} | |`);
}
lines.push(`| **all** | ${fmt(lat(loadStats, "page").length + lat(loadStats, "mint").length)} | | | | **${errorsOf(loadStats)}** | **${loadStats.signedOut.length}** |`);
lines.push("");
lines.push(`Answers: ${statusList(loadStats)}.`);
lines.push("");
lines.push(`WorkOS calls during the load (the emulator's counts, \`GET /_emulator/calls\`; its per-API-key mint limit on: ${settings.widget_token_mints_per_minute} a minute). Each session's first call for a token mints it (500 sessions, a user-level token each and the users table's for Alice's and Carol's); after that the server hands out the token it holds, so the second half of the run shows the steady state of long-lived sessions (a token is re-minted 55 minutes after its mint, beyond this run):`);
lines.push("");
lines.push("| | token-function calls | page views | WorkOS mints | token-function calls per mint | WorkOS 429s on mints | refresh grants | JWKS fetches | all WorkOS calls | WorkOS calls per page view |");
lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
function workosRow(label, a, b) {
  const calls = b.tokenCalls - a.tokenCalls;
  const views = b.pageViews - a.pageViews;
  const mints = b.workos.widget_tokens_minted - a.workos.widget_tokens_minted;
  const limited = b.workos.widget_tokens_rate_limited - a.workos.widget_tokens_rate_limited;
  const refreshes = (b.workos.grants.refresh_token ?? 0) - (a.workos.grants.refresh_token ?? 0);
  const sumIf = (s, pred) => Object.entries(s.calls).filter(([k]) => pred(k)).reduce((n, [, v]) => n + v, 0);
  const jwks = sumIf(b.workos, (k) => k.startsWith("GET /sso/jwks/")) - sumIf(a.workos, (k) => k.startsWith("GET /sso/jwks/"));
  const all = sumIf(b.workos, () => true) - sumIf(a.workos, () => true);
  lines.push(`| ${label} | ${fmt(calls)} | ${fmt(views)} | ${fmt(mints)} | **${mints ? fmt(calls / mints, 1) : "∞ (no mint)"}** | **${fmt(limited)}** | ${fmt(refreshes)} | ${fmt(jwks)} | ${fmt(all)} | ${fmt(all / Math.max(1, views), 3)} |`);
  return { calls, mints, limited };
}
const whole = workosRow(`the whole ${LOAD_SECS} s`, atStart, atEnd);
if (atHalf) {
  workosRow(`its first ${LOAD_SECS / 2} s`, atStart, atHalf);
  workosRow(`its last ${LOAD_SECS / 2} s (steady state)`, atHalf, atEnd);
}
lines.push("");
lines.push(`Server RSS: **${mib(loadMemory[0].rss)} MiB** at the start of the run, **${mib(loadMemory.at(-1).rss)} MiB** at the end (samples every 5 s: ${loadMemory.map((m) => mib(m.rss)).join(", ")}); peak ${mib(loadMemory.at(-1).peak)} MiB.`);
lines.push("");
lines.push(`### 2. Faults: ≈ 19 % of WorkOS calls fail for ${SECS} s`);
lines.push("");
lines.push("The emulator faults each WorkOS call (server-to-WorkOS and the widgets' browser calls alike) with four rules of 5 % each: 429 with `Retry-After: 1`, 500, a 3 s stall, a dropped connection. Access tokens live 90 s, so refreshes meet the faults too. Meanwhile a scripted Chromium signs in as Alice and walks the five widget pages in a loop (1 s on each page once it has loaded), and " + `${faultUsers.length} virtual users keep loading as in phase 1.`);
lines.push("");
lines.push("| | figure |");
lines.push("|---|---:|");
lines.push(`| faults injected (emulator log) | ${fmt(injected)} |`);
lines.push(`| panics in the server log | **${panics}** |`);
lines.push(`| browser: widget pages visited | ${journeys.pages} |`);
lines.push(`| browser: widget content shown | ${journeys.content} |`);
lines.push(`| browser: a clear message shown instead (role=alert, with Try again) | ${journeys.clearError} |`);
lines.push(`| browser: neither within 20 s | **${journeys.blank.length}**${journeys.blank.length ? ` (${journeys.blank.join(", ")})` : ""} |`);
lines.push(`| browser: bare 500 pages | **${journeys.bare500}** |`);
lines.push(`| browser: signed out | **${journeys.signedOut}** |`);
lines.push(`| browser: console errors (the widgets log their own failed calls) | ${journeys.consoleErrors} |`);
lines.push(`| load: requests | ${fmt(lat(faultStats, "page").length + lat(faultStats, "mint").length)} (p99 page ${fmt(quantile(lat(faultStats, "page"), 0.99), 0)} ms, mint ${fmt(quantile(lat(faultStats, "mint"), 0.99), 0)} ms) |`);
lines.push(`| load: bare 500 answers (not JSON) | **${faultStats.bare500}** |`);
lines.push(`| load: sessions lost during the run | **${faultStats.signedOut.length}** |`);
lines.push(`| load: sessions still signed in after the run | **${keptAfter} / ${faultUsers.length}** |`);
lines.push("");
lines.push(`Answers: ${statusList(faultStats)}. A 502 is the server function's JSON \`WorkOsUnavailable\` ("WorkOS is unavailable right now. Try again in a moment."), a 429 \`RateLimited\` with \`Retry-After\`; pages answer 200 with a notice.`);
if (faultStats.signedOut.length) lines.push("", `Sessions lost: ${faultStats.signedOut.slice(0, 5).join("; ")}.`);
lines.push("");
lines.push("### 3. Scale-out: two instances behind a round-robin proxy");
lines.push("");
lines.push("Two app processes in WorkOS mode with the same configuration (API key, client id, cookie password, redirect URI) and nothing else shared, against the standalone emulator binary as WorkOS, behind a Node proxy on loopback that alternates between them per request.");
lines.push("");
lines.push("| | instance a | instance b |");
lines.push("|---|---:|---:|");
lines.push(`| HTTP: one session, 10 page views + 10 mints spread over both, signed in as Alice | ${scaleHttp.a.ok} / ${scaleHttp.a.total} | ${scaleHttp.b.ok} / ${scaleHttp.b.total} |`);
lines.push(`| browser: pages and server-function calls served | ${pageServedBy.a} | ${pageServedBy.b} |`);
lines.push("");
lines.push(`Browser: signed in through the proxy, then each of the five widget pages twice: **${widgetsShown} / 10** showed the widget with Alice in the nav. Proxy requests: a ${served.a}, b ${served.b}.`);
lines.push("");
lines.push("<!-- soak:end -->");

replaceMarked(path.join(repo, "RELIABILITY.md"), "soak", lines);
console.log(lines.join("\n"));

const failures = [
  errorsOf(loadStats) && `${errorsOf(loadStats)} errors under load`,
  whole.limited && `${whole.limited} WorkOS 429s on mints under load`,
  loadStats.signedOut.length && `${loadStats.signedOut.length} sessions lost under load`,
  panics && `${panics} panics`,
  journeys.bare500 + faultStats.bare500 && "bare 500 answers under faults",
  journeys.signedOut + faultStats.signedOut.length && "sessions lost under faults",
  keptAfter < faultUsers.length && "sessions not kept after the faults",
  journeys.blank.length && "widget pages with neither content nor a message",
  (scaleHttp.a.ok < scaleHttp.a.total || scaleHttp.b.ok < scaleHttp.b.total || widgetsShown < 10) && "scale-out",
].filter(Boolean);
if (failures.length) {
  console.error(`soak found problems: ${failures.join("; ")}`);
  process.exit(1);
}
process.exit(0);
