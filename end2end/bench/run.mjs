// `make bench`: measures the release build of the app on loopback and rewrites the generated part
// of BENCHMARKS.md (between the bench markers) and docs/bench-latency.svg.
//
// 1. Time to widget: navigation start → the widget's first real content, headless Chromium,
//    N runs each (fresh browser context = cold cache), for /account/profile and
//    /organization/users, beside the floor: /_bench/floor/<widget>, a static page from the same
//    server that loads the same widget bundle with a pre-minted token.
// 2. Bytes over the wire per page (encoded sizes as served), by kind.
// 3. SSR of an authenticated page vs a bare handler returning the same bytes (wrk, 1/50/200
//    connections).
// 4. widget_token server function at 1 and 200 connections (a token the server holds, and a fresh
//    mint); the emulator's members list.
// 4b. WorkOS calls per page view: a person in Chromium browsing every widget page (in-app clicks,
//    a full reload every fifth view), counted by the emulator (`GET /_emulator/calls`): mints,
//    refreshes, JWKS and every other call.
// 5. Server RSS: at start, after each phase, and every 5 s through a 60 s load.
//
// Needs: target/release/workos-widgets-host and target/site from `cargo leptos build --release`,
// public/bridge (node bridge/build.mjs), wrk (Debian), Chromium.
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { freePort, quantile, repo, rssKiB, signIn as signInAt, sleep, start, waitUntilUp } from "../lib/servers.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const LOAD_SECS = Number(process.env.BENCH_LOAD_SECS ?? 10);
const SOAK_SECS = Number(process.env.BENCH_SOAK_SECS ?? 60);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// ---------------------------------------------------------------------------------------------
// The server (release binary, embedded emulator, bench routes on).
const appPort = await freePort();
const emulatorPort = await freePort();
const app = `http://127.0.0.1:${appPort}`;
const emulator = `http://127.0.0.1:${emulatorPort}`;
const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "workos-widgets-bench-"));
const server = start(path.join(repo, "target/release/workos-widgets-host"), [], {
  LEPTOS_SITE_ADDR: `127.0.0.1:${appPort}`,
  LEPTOS_SITE_ROOT: path.join(repo, "target/site"),
  LEPTOS_ENV: "PROD",
  WORKOS_EMULATOR_ADDR: `127.0.0.1:${emulatorPort}`,
  WORKOS_EMULATOR_STATE_DIR: stateDir,
  WORKOS_WIDGETS_BENCH: "1",
  // The token load below is one session minting thousands of tokens a second: it measures the
  // cost of a mint, so the per-session limit (60 a minute) is off here.
  WORKOS_WIDGETS_TOKENS_PER_MINUTE: "0",
  RUST_LOG: "warn",
});
// The server's warnings, if any, after the run.
process.on("exit", () => process.stderr.write(server.output()));
await waitUntilUp(`${app}/`, server);
const memory = [{ phase: "started", ...rssKiB(server.child.pid) }];

// ---------------------------------------------------------------------------------------------
// A signed-in session over plain HTTP: /sign-in → AuthKit form → /callback.
const signIn = (email) => signInAt(app, emulator, email);
// wrk keeps sending the cookie it was given, so the session must not need a refresh (which rotates
// the refresh token) during the run: day-long access tokens for the benchmark.
await fetch(`${emulator}/_emulator/settings`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ access_token_ttl_secs: 86400 }) });
const aliceCookie = await signIn("alice@acme.test");
const [cookieName, cookieValue] = aliceCookie.split(/=(.*)/s);

async function mintWidgetToken(scopes) {
  const response = await fetch(`${emulator}/widgets/token`, {
    method: "POST",
    headers: { authorization: "Bearer sk_test_emulator", "content-type": "application/json" },
    body: JSON.stringify({ user_id: "user_01JDEM0000000000000000A1CE", organization_id: "org_01JDEM0000000000000000ACME", scopes }),
  });
  return (await response.json()).token;
}

// ---------------------------------------------------------------------------------------------
// 1 + 2. Time to widget and bytes, in Chromium.
const PAGES = [
  { name: "profile", path: "/account/profile", widget: "user-profile", scopes: [], ready: "alice@acme.test" },
  { name: "users", path: "/organization/users", widget: "users-management", scopes: ["widgets:users-table:manage"], ready: "bella.brooks@acme.test" },
];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-quic"] });

/** Every response `page` receives, with its encoded (as served) body size. */
function recordBytes(page) {
  const bytes = [];
  page.on("requestfinished", async (request) => {
    const sizes = await request.sizes().catch(() => null);
    const response = await request.response();
    if (sizes && response) bytes.push({ url: new URL(request.url()), encoded: sizes.responseBodySize, type: response.headers()["content-type"] ?? "" });
  });
  return bytes;
}

/** Milliseconds from navigation start until `text` is painted inside the widget's section. */
async function timeToWidget(url, widget, text, collectBytes) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.addCookies([{ name: cookieName, value: cookieValue, url: app }]);
  await context.addInitScript(([selector, text]) => {
    const check = () => {
      const section = document.querySelector(selector);
      if (section && section.textContent.includes(text) && !window.__widgetReady) {
        // The frame after the DOM change: when it is painted.
        requestAnimationFrame(() => (window.__widgetReady ??= performance.now()));
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
  }, [`[data-widget="${widget}"] .widget-host`, text]);
  const page = await context.newPage();
  const bytes = collectBytes ? recordBytes(page) : [];
  await page.goto(url);
  await page.waitForFunction(() => window.__widgetReady !== undefined, null, { timeout: 30_000 });
  const ms = await page.evaluate(() => window.__widgetReady);
  // Where the time went: when the HTML, the WASM, the bridge entry and the first token arrived,
  // and when the widget's first data request started (ms from navigation start).
  const phases = await page.evaluate(() => {
    const end = (match) => performance.getEntriesByType("resource").find((e) => match(new URL(e.name)))?.responseEnd;
    const start = (match) => performance.getEntriesByType("resource").find((e) => match(new URL(e.name)))?.startTime;
    return {
      html: performance.getEntriesByType("navigation")[0]?.responseEnd,
      wasm: end((u) => u.pathname.endsWith(".wasm")),
      bridge: end((u) => /^\/bridge\/([0-9a-f]+\/)?index\.js$/.test(u.pathname)),
      tokenStart: start((u) => u.pathname === "/api/widget_token"),
      token: end((u) => u.pathname === "/api/widget_token"),
      widgetApi: start((u) => u.pathname.startsWith("/_widgets/")),
    };
  });
  if (collectBytes) await page.waitForLoadState("networkidle");
  await context.close();
  return { ms, bytes, phases };
}

function classify({ url, type }) {
  const p = url.pathname;
  if (url.origin !== app) return "widget API (emulator)";
  if (p.endsWith(".wasm")) return "WASM";
  if (p.startsWith("/pkg/") && p.endsWith(".js")) return "JS glue";
  if (p.startsWith("/pkg/") && p.endsWith(".css")) return "app CSS";
  if (p.startsWith("/bridge/") && p.endsWith(".js")) return "widget bundle (JS)";
  if (p.startsWith("/bridge/") && p.endsWith(".css")) return "widget CSS";
  if (p.startsWith("/api/")) return "server functions";
  if (type.includes("text/html")) return "HTML";
  return "other";
}

const timings = {};
const bytesByPage = {};
for (const page of PAGES) {
  const token = await mintWidgetToken(page.scopes);
  const floorUrl = `${app}/_bench/floor/${page.widget}?token=${encodeURIComponent(token)}&api=${encodeURIComponent(emulator)}`;
  // One warm-up each (server-side caches, JIT), then alternate app and floor runs.
  await timeToWidget(`${app}${page.path}`, page.widget, page.ready, false);
  await timeToWidget(floorUrl, page.widget, page.ready, false);
  const app_ = [];
  const floor = [];
  const phases = [];
  const floorPhases = [];
  for (let i = 0; i < RUNS; i++) {
    const a = await timeToWidget(`${app}${page.path}`, page.widget, page.ready, i === 0);
    app_.push(a.ms);
    phases.push(a.phases);
    if (i === 0) bytesByPage[page.name] = a.bytes;
    const f = await timeToWidget(floorUrl, page.widget, page.ready, false);
    floor.push(f.ms);
    floorPhases.push(f.phases);
  }
  timings[page.name] = { app: app_, floor, phases, floorPhases };
}
// The home page: no widget, so no React.
{
  const context = await browser.newContext();
  await context.addCookies([{ name: cookieName, value: cookieValue, url: app }]);
  const page = await context.newPage();
  const bytes = recordBytes(page);
  await page.goto(`${app}/`);
  await page.waitForLoadState("networkidle");
  bytesByPage.home = bytes;
  await context.close();
}
// 1c. Warm visits, in one browser context (its HTTP cache warm): a repeat visit (reload of a
// widget page) and an in-app navigation (a nav click from the other widget page), each timed from
// the reload or the click until the widget's content is painted; and the static files (/pkg/,
// /bridge/) a reload downloads again (bytes on the wire; hashed, immutable files come from the
// cache). WARM_RUNS of each, medians.
const WARM_RUNS = Number(process.env.BENCH_WARM_RUNS ?? 10);
const warm = await (async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  await context.addCookies([{ name: cookieName, value: cookieValue, url: app }]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const cached = new Set();
  const downloaded = [];
  cdp.on("Network.requestServedFromCache", ({ requestId }) => cached.add(requestId));
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => downloaded.push({ requestId, encodedDataLength }));
  const urls = new Map();
  cdp.on("Network.responseReceived", ({ requestId, response }) => urls.set(requestId, { url: new URL(response.url), disk: response.fromDiskCache }));
  /** Milliseconds from clicking the nav link `linkText` until the next page has painted its
   *  widget's content: `__widgetReady`, recorded by the init script below for the page the click
   *  leads to (`__widgetTarget`), in the same document (the bridge swaps the page in) or in a new
   *  one (a page load); both instants on the wall clock (`performance.timeOrigin`). */
  const navigate = async ({ path }, linkText) => {
    const clickedAt = await page.evaluate(([text, path]) => {
      window.__widgetReady = undefined;
      window.__widgetTarget = path;
      const at = performance.timeOrigin + performance.now();
      [...document.querySelectorAll("nav a")].find((a) => a.textContent.trim() === text).click();
      return at;
    }, [linkText, path]);
    await page.waitForURL((url) => url.pathname === path, { waitUntil: "commit" });
    await page.waitForFunction((path) => window.__widgetReady !== undefined && location.pathname === path, path, { timeout: 30_000 });
    return (await page.evaluate(() => performance.timeOrigin + window.__widgetReady)) - clickedAt;
  };
  // Every document records when the widget content of the bench page it shows is painted: the
  // page it was loaded for (reloads), or the one a nav click leads to (`__widgetTarget`).
  await context.addInitScript((pages) => {
    const check = () => {
      if (window.__widgetReady !== undefined) return;
      const path = window.__widgetTarget ?? location.pathname;
      if (location.pathname !== path) return;
      for (const [pagePath, selector, text] of pages) {
        const section = pagePath === path && document.querySelector(selector);
        if (section && section.textContent.includes(text)) {
          requestAnimationFrame(() => (window.__widgetReady ??= performance.now()));
        }
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
  }, PAGES.map((p) => [p.path, `[data-widget="${p.widget}"] .widget-host`, p.ready]));
  const result = {};
  for (const p of PAGES) result[p.name] = { reload: [], staticBytes: [], navigate: [] };
  const link = { profile: "Profile", users: "Members" };
  // Start on the last page, so each round's first click leads elsewhere.
  const last = PAGES[PAGES.length - 1];
  await page.goto(`${app}${last.path}`);
  await page.waitForFunction(() => window.__widgetReady !== undefined, null, { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  for (let i = 0; i < WARM_RUNS; i++) {
    for (const p of PAGES) {
      // In-app: from the other page to this one (a nav link: the next page comes from the server).
      result[p.name].navigate.push(await navigate(p, link[p.name]));
      await page.waitForLoadState("networkidle");
      // A repeat visit: reload this page (ms from the new document's navigation start).
      downloaded.length = 0;
      cached.clear();
      urls.clear();
      await page.reload();
      await page.waitForFunction(() => window.__widgetReady !== undefined, null, { timeout: 30_000 });
      result[p.name].reload.push(await page.evaluate(() => window.__widgetReady));
      await page.waitForLoadState("networkidle");
      const again = downloaded.filter(({ requestId }) => {
        const r = urls.get(requestId);
        return r && r.url.origin === app && /^\/(pkg|bridge)\//.test(r.url.pathname) && !cached.has(requestId) && !r.disk;
      });
      result[p.name].staticBytes.push(again.reduce((n, d) => n + d.encodedDataLength, 0));
    }
  }
  await context.close();
  return result;
})();
// 4b. A person browsing: WorkOS calls per widget page view.
const BROWSE_VIEWS = Number(process.env.BENCH_BROWSE_VIEWS ?? 400);
/** Every widget page (the registry's, in nav order) by its nav link and widget. */
const BROWSE = [
  ["Profile", "user-profile"],
  ["Security", "user-security"],
  ["Sessions", "user-sessions"],
  ["Personal API keys", "user-api-keys"],
  ["Connections", "pipes"],
  ["Members", "users-management"],
  ["API keys", "api-keys"],
  ["Single sign-on", "admin-portal-sso-connection"],
  ["Domains", "admin-portal-domain-verification"],
  ["Directory sync", "directory-sync"],
  ["Audit-log streaming", "admin-portal-audit-log-streaming"],
  ["Integrations", "pipes-admin"],
  ["Organizations", "organization-switcher"],
].map(([link, widget]) => ({ link, widget }));
const emulatorCalls = async () => (await fetch(`${emulator}/_emulator/calls`)).json();
/** `after − before` of two `/_emulator/calls` snapshots, flattened: mints, refreshes, JWKS, all. */
function workosDelta(before, after) {
  const sum = (o) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
  const of = (snapshot, key) => snapshot.calls[key] ?? 0;
  const jwks = (s) => Object.entries(s.calls).filter(([k]) => k.startsWith("GET /sso/jwks/")).reduce((n, [, v]) => n + v, 0);
  return {
    mints: after.widget_tokens_minted - before.widget_tokens_minted,
    mintCalls: of(after, "POST /widgets/token") - of(before, "POST /widgets/token"),
    rateLimited: after.widget_tokens_rate_limited - before.widget_tokens_rate_limited,
    refreshes: (after.grants.refresh_token ?? 0) - (before.grants.refresh_token ?? 0),
    jwks: jwks(after) - jwks(before),
    widgetApi: Object.entries(after.calls).filter(([k]) => k.includes(" /_widgets/")).reduce((n, [k, v]) => n + v - (before.calls[k] ?? 0), 0),
    all: sum(after.calls) - sum(before.calls),
  };
}
// Realistic access tokens (five minutes) for this person.
await fetch(`${emulator}/_emulator/settings`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ access_token_ttl_secs: 300 }) });
const browsing = await (async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const tokenCalls = { count: 0 };
  page.on("request", (r) => r.method() === "POST" && new URL(r.url()).pathname === "/api/widget_token" && tokenCalls.count++);
  await page.goto(`${app}/sign-in?return_to=/account/profile`);
  await page.getByLabel("Email").fill("alice@acme.test");
  await page.getByLabel("Password").fill("demo-password");
  const before = await emulatorCalls();
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.locator('[data-widget="user-profile"]').getByText("alice@acme.test", { exact: true }).first().waitFor();
  const started = performance.now();
  let views = 1;
  let reloads = 0;
  let tooMany = 0;
  for (let i = 1; views < BROWSE_VIEWS; i++) {
    const target = BROWSE[i % BROWSE.length];
    if (i % 5 === 0) {
      await page.reload();
      reloads++;
    } else await page.getByRole("navigation").getByRole("link", { name: target.link, exact: true }).click();
    const shown = i % 5 === 0 ? BROWSE[(i - 1) % BROWSE.length] : target;
    // Shown when the widget's root is resolved (its data loaded).
    await page.locator(`[data-widget="${shown.widget}"] [data-woswidgets-widget-state="resolved"]`).first().waitFor({ timeout: 30_000 });
    tooMany += await page.getByText(/too many requests/i).count();
    views++;
  }
  const after = await emulatorCalls();
  await context.close();
  return { views, reloads, tooMany, tokenCalls: tokenCalls.count, secs: (performance.now() - started) / 1000, ...workosDelta(before, after) };
})();
await browser.close();
memory.push({ phase: "after browser runs", ...rssKiB(server.child.pid) });

// ---------------------------------------------------------------------------------------------
// 3 + 4. Load with wrk.
function wrk(url, connections, { seconds = LOAD_SECS, headers = {}, script } = {}) {
  const args = ["-t", String(Math.min(2, connections)), "-c", String(connections), "-d", `${seconds}s`, "--latency", "--timeout", "10s"];
  for (const [k, v] of Object.entries(headers)) args.push("-H", `${k}: ${v}`);
  if (script) args.push("-s", script);
  args.push(url);
  const out = execFileSync("wrk", args, { encoding: "utf8", maxBuffer: 1 << 24 });
  const ms = (s) => {
    const [, n, unit] = s.match(/([\d.]+)(us|ms|s)/);
    return Number(n) * (unit === "us" ? 0.001 : unit === "s" ? 1000 : 1);
  };
  const latency = (p) => ms(out.match(new RegExp(`\\s${p}%\\s+(\\S+)`))[1]);
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const errors = out.match(/Socket errors: (.*)/)?.[1] ?? "none";
  return { connections, rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]), p50: latency(50), p90: latency(90), p99: latency(99), non2xx, errors };
}

const cookieHeader = { cookie: aliceCookie, "accept-encoding": "gzip, br" };
const page = await fetch(`${app}/account/profile`, { headers: { cookie: aliceCookie } });
const pageBytes = Buffer.from(await page.arrayBuffer());
await fetch(`${app}/_bench/bare`, { method: "PUT", body: pageBytes });
const ssr = [];
const bare = [];
for (const c of [1, 50, 200]) {
  ssr.push(wrk(`${app}/account/profile`, c, { headers: cookieHeader }));
  bare.push(wrk(`${app}/_bench/bare`, c, { headers: cookieHeader }));
}
memory.push({ phase: "after SSR load", ...rssKiB(server.child.pid) });

const luaDir = fs.mkdtempSync(path.join(os.tmpdir(), "workos-widgets-wrk-"));
const tokenLua = path.join(luaDir, "token.lua");
fs.writeFileSync(tokenLua, `wrk.method = "POST"\nwrk.body = "kind=user-profile"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n`);
const tokenOne = wrk(`${app}/api/widget_token`, 1, { headers: { cookie: aliceCookie }, script: tokenLua });
const token = wrk(`${app}/api/widget_token`, 200, { headers: { cookie: aliceCookie }, script: tokenLua });
// A fresh mint each time (`fresh=true`, a widget's `authToken` after a 403): the cost of a WorkOS
// mint through the server function. Thousands a second: the emulator's per-API-key limit (600 a
// minute) is off for it, and on again after.
const freshLua = path.join(luaDir, "fresh.lua");
fs.writeFileSync(freshLua, `wrk.method = "POST"\nwrk.body = "kind=user-profile&fresh=true"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n`);
const mintLimit = async (perMinute) => fetch(`${emulator}/_emulator/settings`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ widget_token_mints_per_minute: perMinute }) });
await mintLimit(0);
const freshOne = wrk(`${app}/api/widget_token`, 1, { headers: { cookie: aliceCookie }, script: freshLua });
const fresh = wrk(`${app}/api/widget_token`, 200, { headers: { cookie: aliceCookie }, script: freshLua });
await mintLimit(600);
memory.push({ phase: "after token load", ...rssKiB(server.child.pid) });
const adminToken = await mintWidgetToken(["widgets:users-table:manage"]);
const members = wrk(`${emulator}/_widgets/UserManagement/members?limit=10`, 50, {
  headers: { authorization: `Bearer ${adminToken}`, "workos-widgets-version": "1", "workos-widgets-type": "user-management" },
});

// 5. RSS through a 60 s mixed load (pages and token mints), sampled every 5 s.
const soak = [];
const soakLua = path.join(luaDir, "mixed.lua");
// wrk.format replaces wrk.headers when given a table, so the POST copies them (the cookie) first.
fs.writeFileSync(soakLua, `local n = 0
local post = nil
request = function()
  if post == nil then
    post = {}
    for k, v in pairs(wrk.headers) do post[k] = v end
    post["Content-Type"] = "application/x-www-form-urlencoded"
  end
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("POST", "/api/widget_token", post, "kind=user-profile")
  end
  return wrk.format("GET", "/account/profile")
end
`);
const soakRun = new Promise((resolve) => {
  const child = spawn("wrk", ["-t", "2", "-c", "50", "-d", `${SOAK_SECS}s`, "--latency", "-H", `cookie: ${aliceCookie}`, "-s", soakLua, `${app}/`]);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.on("exit", () => resolve(out));
});
for (let t = 0; t <= SOAK_SECS; t += 5) {
  soak.push({ t, ...rssKiB(server.child.pid) });
  if (t < SOAK_SECS) await sleep(5000);
}
const soakOut = await soakRun;
const soakRps = Number(soakOut.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? 0);
const soakNon2xx = Number(soakOut.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
memory.push({ phase: "after 60 s mixed load", ...rssKiB(server.child.pid) });
server.child.kill();
fs.rmSync(stateDir, { recursive: true, force: true });
fs.rmSync(luaDir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// Report.
const fmt = (n, d = 0) => n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
const kb = (b) => `${fmt(b / 1000, 1)} KB`;
const lines = [];
const today = new Date().toISOString().slice(0, 10);
lines.push(`Generated by \`make bench\` on ${today} (release build; app + embedded emulator on loopback; ${os.cpus().length} cores, ${fmt(os.totalmem() / 2 ** 30)} GiB; Chromium headless; wrk 4.1).`);
lines.push("");
lines.push(`### Time to widget (navigation start → first real content painted; ${RUNS} runs each, cold cache)`);
lines.push("");
lines.push("| Page | App median | App p90 | Floor median | Floor p90 | Ratio (median) |");
lines.push("|---|---|---|---|---|---|");
for (const p of PAGES) {
  const t = timings[p.name];
  const am = quantile(t.app, 0.5), fm = quantile(t.floor, 0.5);
  lines.push(`| \`${p.path}\` (${p.widget}, ready at "${p.ready}") | ${fmt(am)} ms | ${fmt(quantile(t.app, 0.9))} ms | ${fmt(fm)} ms | ${fmt(quantile(t.floor, 0.9))} ms | **${fmt(am / fm, 2)}×** |`);
}
lines.push("");
lines.push("Where the time goes (medians, ms from navigation start; – = not requested):");
lines.push("");
lines.push("| Page | HTML received | WASM received | bridge entry received | token request sent | token received | widget's first API request | first content painted |");
lines.push("|---|---|---|---|---|---|---|---|");
const med = (list, key) => {
  const values = list.map((p) => p[key]).filter((v) => v !== undefined);
  return values.length ? fmt(quantile(values, 0.5)) : "–";
};
for (const p of PAGES) {
  const t = timings[p.name];
  for (const [label, list, total] of [["app", t.phases, t.app], ["floor", t.floorPhases, t.floor]]) {
    lines.push(`| ${p.name}, ${label} | ${med(list, "html")} | ${med(list, "wasm")} | ${med(list, "bridge")} | ${med(list, "tokenStart")} | ${med(list, "token")} | ${med(list, "widgetApi")} | ${fmt(quantile(total, 0.5))} |`);
  }
}
lines.push("");
lines.push("The floor is `/_bench/floor/<widget>`: a static page from the same server that imports the same widget bundle and mounts the widget with a token minted beforehand (no WASM, no SSR, no server function).");
lines.push("");
lines.push(`### Warm visits (one browser context, its cache warm; ${WARM_RUNS} runs each)`);
lines.push("");
lines.push("| Page | Repeat visit (reload → content painted), median | p90 | Static bytes a reload downloads again, max | In-app navigation (nav click → content painted), median | p90 |");
lines.push("|---|---|---|---|---|---|");
for (const p of PAGES) {
  const w = warm[p.name];
  lines.push(`| \`${p.path}\` | ${fmt(quantile(w.reload, 0.5))} ms | ${fmt(quantile(w.reload, 0.9))} ms | ${kb(Math.max(...w.staticBytes))} | ${fmt(quantile(w.navigate, 0.5))} ms | ${fmt(quantile(w.navigate, 0.9))} ms |`);
}
lines.push("");
lines.push("Static files (`/pkg/<hash>/`, `/bridge/<hash>/`) carry `Cache-Control: public, max-age=31536000, immutable` and content-hashed URLs; pages are `no-store`. A reload downloads the page and its server-function and widget API calls, no static file.");
lines.push("");
lines.push("### Bytes over the wire (encoded, as served; first load, cold cache)");
lines.push("");
const kinds = ["HTML", "WASM", "JS glue", "app CSS", "widget bundle (JS)", "widget CSS", "server functions", "widget API (emulator)", "other"];
lines.push(`| Page | ${kinds.join(" | ")} | Total |`);
lines.push(`|---|${kinds.map(() => "---").join("|")}|---|`);
for (const [name, list] of Object.entries(bytesByPage)) {
  const sums = Object.fromEntries(kinds.map((k) => [k, 0]));
  for (const b of list) sums[classify(b)] += b.encoded;
  const total = Object.values(sums).reduce((a, b) => a + b, 0);
  lines.push(`| ${name} | ${kinds.map((k) => (sums[k] ? kb(sums[k]) : "–")).join(" | ")} | ${kb(total)} |`);
}
lines.push("");
lines.push(`The home page loads no widget bundle or widget CSS: ${bytesByPage.home.some((b) => b.url.pathname.startsWith("/bridge/")) ? "**it does (regression)**" : "none requested"}.`);
lines.push("");
lines.push(`### Server-side rendering vs a bare handler (\`wrk -t2 -c<N> -d${LOAD_SECS}s --latency\`, signed-in cookie, gzip)`);
lines.push("");
lines.push("| Connections | SSR req/s | SSR p50 | SSR p99 | Bare req/s | Bare p50 | Bare p99 | SSR / bare throughput | non-2xx |");
lines.push("|---|---|---|---|---|---|---|---|---|");
for (let i = 0; i < ssr.length; i++) {
  const s = ssr[i], b = bare[i];
  lines.push(`| ${s.connections} | ${fmt(s.rps)} | ${fmt(s.p50, 2)} ms | ${fmt(s.p99, 2)} ms | ${fmt(b.rps)} | ${fmt(b.p50, 2)} ms | ${fmt(b.p99, 2)} ms | **${fmt(s.rps / b.rps, 2)}×** | ${s.non2xx + b.non2xx} |`);
}
lines.push("");
lines.push(`The bare handler (\`/_bench/bare\`) answers the same ${fmt(pageBytes.length)} bytes of HTML through the same middleware (session check, compression).`);
lines.push("");
lines.push("### Widget tokens and the emulator");
lines.push("");
lines.push("| What | Command | req/s | p50 | p90 | p99 | non-2xx |");
lines.push("|---|---|---|---|---|---|---|");
lines.push(`| \`widget_token\` server function, 1 connection, the token the server holds for the session (no WorkOS call) | \`wrk -c1 -d${LOAD_SECS}s\` POST \`/api/widget_token\` \`kind=user-profile\` | ${fmt(tokenOne.rps)} | ${fmt(tokenOne.p50, 2)} ms | ${fmt(tokenOne.p90, 2)} ms | **${fmt(tokenOne.p99, 2)} ms** | ${tokenOne.non2xx} |`);
lines.push(`| \`widget_token\` server function, 200 connections, held token | \`wrk -c200 -d${LOAD_SECS}s\` same | ${fmt(token.rps)} | ${fmt(token.p50, 2)} ms | ${fmt(token.p90, 2)} ms | **${fmt(token.p99, 2)} ms** | ${token.non2xx} |`);
lines.push(`| \`widget_token\` server function, 1 connection, a fresh mint each time (the cost of one mint through the emulator's \`POST /widgets/token\`; mint limit off) | \`wrk -c1 -d${LOAD_SECS}s\` POST \`kind=user-profile&fresh=true\` | ${fmt(freshOne.rps)} | ${fmt(freshOne.p50, 2)} ms | ${fmt(freshOne.p90, 2)} ms | **${fmt(freshOne.p99, 2)} ms** | ${freshOne.non2xx} |`);
lines.push(`| \`widget_token\` server function, 200 connections, fresh mints | \`wrk -c200 -d${LOAD_SECS}s\` same | ${fmt(fresh.rps)} | ${fmt(fresh.p50, 2)} ms | ${fmt(fresh.p90, 2)} ms | **${fmt(fresh.p99, 2)} ms** | ${fresh.non2xx} |`);
lines.push(`| Emulator \`GET /_widgets/UserManagement/members\` | \`wrk -c50 -d${LOAD_SECS}s\` | **${fmt(members.rps)}** | ${fmt(members.p50, 2)} ms | ${fmt(members.p90, 2)} ms | ${fmt(members.p99, 2)} ms | ${members.non2xx} |`);
lines.push("");
lines.push("### WorkOS calls per widget page view (a person browsing)");
lines.push("");
const per = (n, d = 3) => fmt(n / browsing.views, d);
lines.push(`Alice signs in in Chromium (access tokens of five minutes) and views ${browsing.views} widget pages in ${fmt(browsing.secs)} s: the ${BROWSE.length} widget pages in turn through the nav (in-app navigation), with a full reload every fifth view (${browsing.reloads} reloads). Counted by the emulator (\`GET /_emulator/calls\`) from the sign-in on; "too many requests" notices seen: **${browsing.tooMany}**.`);
lines.push("");
lines.push("| WorkOS calls | total | per widget page view |");
lines.push("|---|---:|---:|");
lines.push(`| widget tokens minted (\`POST /widgets/token\` answered 201) | ${browsing.mints} | **${per(browsing.mints)}** (**${fmt(browsing.views / Math.max(1, browsing.mints), 0)} page views per mint**) |`);
lines.push(`| \`POST /widgets/token\` refused 429 (emulator's 600/min limit on) | ${browsing.rateLimited} | ${per(browsing.rateLimited)} |`);
lines.push(`| refresh-token grants | ${browsing.refreshes} | ${per(browsing.refreshes)} |`);
lines.push(`| JWKS fetches | ${browsing.jwks} | ${per(browsing.jwks)} |`);
lines.push(`| the widgets' own \`/_widgets/*\` calls (browser → WorkOS) | ${browsing.widgetApi} | ${per(browsing.widgetApi, 2)} |`);
lines.push(`| every WorkOS call (server and browser, sign-in included) | ${browsing.all} | ${per(browsing.all, 2)} |`);
lines.push(`| calls of the \`widget_token\` server function (browser → app) | ${browsing.tokenCalls} | ${per(browsing.tokenCalls)} |`);
lines.push("");
lines.push("A token is minted once per session and context — for an Acme admin eight: the user-level one without scopes and one per permission (personal API keys, members, API keys, and the four organization-level Admin Portal ones) — and reused until 5 minutes before its one-hour `exp`; so an hour of browsing costs about two mints per token the person needs, however many pages they view.");
lines.push("");
lines.push("### Server memory (RSS)");
lines.push("");
lines.push("| Moment | RSS | Peak RSS so far |");
lines.push("|---|---|---|");
for (const m of memory) lines.push(`| ${m.phase} | ${fmt(m.rss / 1024, 1)} MiB | ${fmt(m.peak / 1024, 1)} MiB |`);
lines.push("");
lines.push(`Through the ${SOAK_SECS} s mixed load (50 connections, pages and token requests alternating (the token the session holds); ${fmt(soakRps)} req/s, ${soakNon2xx} non-2xx), sampled every 5 s: ${soak.map((s) => `${fmt(s.rss / 1024, 1)}`).join(" → ")} MiB.`);
lines.push("");
lines.push("![Latency against concurrency](docs/bench-latency.svg)");

// The chart: p50 and p99 against connections, SSR and bare.
function chart() {
  const W = 640, H = 360, L = 60, R = 20, T = 30, B = 50;
  const xs = [1, 50, 200];
  const series = [
    { name: "SSR p99", data: ssr.map((s) => s.p99), color: "#6e56cf", dash: "" },
    { name: "SSR p50", data: ssr.map((s) => s.p50), color: "#6e56cf", dash: "6 4" },
    { name: "bare p99", data: bare.map((s) => s.p99), color: "#12a594", dash: "" },
    { name: "bare p50", data: bare.map((s) => s.p50), color: "#12a594", dash: "6 4" },
  ];
  const max = Math.max(...series.flatMap((s) => s.data)) * 1.1 || 1;
  const x = (i) => L + (i * (W - L - R)) / (xs.length - 1);
  const y = (v) => T + (H - T - B) * (1 - v / max);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="#fff"/>`;
  svg += `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">Latency of /account/profile against connections (wrk)</text>`;
  for (let k = 0; k <= 4; k++) {
    const v = (max * k) / 4;
    svg += `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/><text x="${L - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v, 1)} ms</text>`;
  }
  xs.forEach((c, i) => (svg += `<text x="${x(i)}" y="${H - B + 18}" text-anchor="middle">${c}</text>`));
  svg += `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">connections</text>`;
  series.forEach((s, k) => {
    svg += `<polyline fill="none" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}" points="${s.data.map((v, i) => `${x(i)},${y(v)}`).join(" ")}"/>`;
    svg += `<line x1="${L + 10 + k * 140}" x2="${L + 40 + k * 140}" y1="${T + 10}" y2="${T + 10}" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash}"/><text x="${L + 45 + k * 140}" y="${T + 14}">${s.name}</text>`;
  });
  return svg + "</svg>\n";
}
fs.mkdirSync(path.join(repo, "docs"), { recursive: true });
fs.writeFileSync(path.join(repo, "docs/bench-latency.svg"), chart());

const file = path.join(repo, "BENCHMARKS.md");
const START = "<!-- bench:start (generated by `make bench`; edits here are overwritten) -->";
const END = "<!-- bench:end -->";
let doc = fs.readFileSync(file, "utf8");
const block = `${START}\n${lines.join("\n")}\n${END}`;
doc = doc.includes(START) ? doc.replace(new RegExp(`${START.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}[\\s\\S]*?${END}`), block) : `${doc.trimEnd()}\n\n## Runtime (\`make bench\`)\n\n${block}\n`;
fs.writeFileSync(file, doc);
console.log(lines.join("\n"));
