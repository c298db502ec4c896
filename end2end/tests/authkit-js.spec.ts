// Browser AuthKit: a single-page app using `@workos-inc/authkit-js` 0.20.3 from npm, unchanged,
// against the standalone emulator binary: sign in on the AuthKit page (PKCE, public client), the
// user, an access token that UserProfile accepts ("method A"), a refresh after the access token
// expires, a reload that restores the session, and sign-out. Once as `localhost` (authkit-js's
// devMode: refresh token in the body) and once as `127.0.0.1` with devMode false (refresh by the
// emulator's HttpOnly session cookie). The page (end2end/authkit/) is bundled here by the bridge's
// esbuild and served on its own origin; another origin is refused by CORS.
import { test, expect, signIn } from "./fixtures";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { Page, Request } from "@playwright/test";
import { freePort, repo, start, waitUntilUp, type Started } from "./processes";

const CLIENT_ID = "client_spa";
const SESSION_COOKIE = "workos_emulator_session";
const HAS_SESSION_COOKIE = "workos-has-session";

/** Bundles end2end/authkit/page.js (authkit-js from end2end/node_modules, the bridge and React
 *  from bridge/node_modules) with the bridge's esbuild into `outdir`: index.js, index.css, chunks. */
function bundlePage(outdir: string) {
  execFileSync(path.join(repo, "bridge/node_modules/.bin/esbuild"), [
    `index=${path.join(repo, "end2end/authkit/page.js")}`,
    "--bundle", "--splitting", "--format=esm", "--target=es2022", `--outdir=${outdir}`,
    "--chunk-names=chunks/[name]-[hash]", "--define:process.env.NODE_ENV=\"production\"",
    "--jsx=automatic", "--log-level=warning",
  ], { cwd: repo, stdio: "pipe" });
  const html = fs.readFileSync(path.join(repo, "end2end/authkit/index.html"), "utf8");
  return html;
}

const TYPES: Record<string, string> = { ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

/** A static server on 127.0.0.1:`port`: the page at `/` (with `config`), the bundle's files. */
function serve(dir: string, html: string, config: object, port: number): Promise<http.Server> {
  const page = html.replace("__CONFIG__", JSON.stringify(config));
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url!, "http://x").pathname;
    const file = path.join(dir, path.normalize(pathname));
    if (pathname === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
    } else if (file.startsWith(dir) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
      fs.createReadStream(file).pipe(res);
    } else {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

let workos: Started;
let workosURL: string;
let pagePort: number;
let otherPort: number;
let outdir: string;
const servers: http.Server[] = [];

test.beforeAll(async () => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "authkit-page-"));
  const html = bundlePage(outdir);
  const workosPort = await freePort();
  pagePort = await freePort();
  otherPort = await freePort();
  workosURL = `http://127.0.0.1:${workosPort}`;
  workos = start(path.join(repo, "target/debug/workos-emulator"), [
    "--port", String(workosPort), "--client-id", CLIENT_ID,
    "--allowed-origin", `http://localhost:${pagePort}`, "--allowed-origin", `http://127.0.0.1:${pagePort}`,
  ]);
  await waitUntilUp(`${workosURL}/_emulator/health`, workos);
  const config = { clientId: CLIENT_ID, hostname: "127.0.0.1", port: workosPort };
  // The page's own origin (allowed), and the same page on an origin the emulator does not allow.
  servers.push(await serve(outdir, html, config, pagePort), await serve(outdir, html, config, otherPort));
});

test.afterAll(() => {
  workos?.child.kill();
  for (const server of servers) server.close();
  if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
});

async function workosCall(pathname: string, method: string, body?: unknown) {
  const response = await fetch(`${workosURL}${pathname}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status}`);
  return response;
}

/** The claims of a JWT. */
function claims(token: string): { sub: string; sid: string; iss: string; exp: number; iat: number; jti: string } {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64").toString());
}

const accessToken = (page: Page, forceRefresh = false) =>
  page.evaluate((forceRefresh) => (window as any).authkit.client.getAccessToken({ forceRefresh }), forceRefresh) as Promise<string>;

/** Every grant authkit-js sends to the emulator from the page: its body and its Cookie header. */
function recordGrants(page: Page) {
  const grants: { body: any; cookie: string }[] = [];
  page.on("request", async (request: Request) => {
    if (request.method() !== "POST" || request.url() !== `${workosURL}/user_management/authenticate`) return;
    const entry = { body: request.postDataJSON(), cookie: "" };
    grants.push(entry);
    entry.cookie = (await request.allHeaders())["cookie"] ?? "";
  });
  return grants;
}

for (const { host, devMode } of [
  { host: "localhost", devMode: true },
  { host: "127.0.0.1", devMode: false },
]) {
  const mode = devMode ? "devMode: refresh token in the body" : "devMode false: refresh by the session cookie";
  test(`authkit-js on ${host} (${mode}) signs in, mounts UserProfile with its access token, refreshes after expiry and signs out`, async ({ page, problems }) => {
    test.setTimeout(90_000);
    await workosCall("/_emulator/reset", "POST");
    const origin = `http://${host}:${pagePort}`;
    const grants = recordGrants(page);
    const widgetCalls: { url: string; authorization?: string }[] = [];
    page.on("request", (r) => r.url().startsWith(`${workosURL}/_widgets/`) && widgetCalls.push({ url: r.url(), authorization: r.headers()["authorization"] }));

    // Sign in on the emulator's AuthKit page; authkit-js exchanges the code (PKCE, no secret).
    await page.goto(`${origin}/`);
    await expect(page.getByRole("status")).toHaveText("Signed out");
    expect(await page.evaluate(() => (window as any).authkit.devMode)).toBe(devMode);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(new RegExp(`^${workosURL}/user_management/authorize\\?`));
    const authorize = new URL(page.url()).searchParams;
    expect(authorize.get("client_id")).toBe(CLIENT_ID);
    expect(authorize.get("code_challenge_method")).toBe("S256");
    await signIn(page, "alice@acme.test");
    await expect(page.getByRole("status")).toHaveText("Signed in as alice@acme.test");
    expect(page.url()).toBe(`${origin}/`);
    expect(grants[0].body).toEqual({ client_id: CLIENT_ID, grant_type: "authorization_code", code: expect.any(String), code_verifier: expect.any(String) });

    // The user and an access token for this session.
    const user = await page.evaluate(() => (window as any).authkit.client.getUser());
    expect(user).toMatchObject({ email: "alice@acme.test", firstName: "Alice", lastName: "Adams" });
    const first = await accessToken(page);
    expect(claims(first)).toMatchObject({ sub: user.id, iss: workosURL });
    const sid = claims(first).sid;
    expect(sid).toMatch(/^session_/);

    // Where the session is kept: devMode's refresh token in localStorage; otherwise the emulator's
    // HttpOnly cookie on its host (the page sees only workos-has-session, naming its client id).
    const cookies = await page.context().cookies(`${workosURL}/user_management/authenticate`);
    const storedRefresh = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("refresh")));
    const pageCookies = await page.evaluate(() => document.cookie);
    if (devMode) {
      expect(storedRefresh).toEqual([`workos:refresh-token:${CLIENT_ID}`]);
      expect(cookies).toEqual([]);
    } else {
      expect(storedRefresh).toEqual([]);
      expect(cookies.find((c) => c.name === SESSION_COOKIE)).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/user_management" });
      expect(pageCookies).toBe(`${HAS_SESSION_COOKIE}=${CLIENT_ID}`);
    }

    // UserProfile with the AuthKit access token.
    await page.evaluate(() => (window as any).authkit.mountProfile());
    const widget = page.getByRole("region", { name: "Profile" });
    await expect(widget.getByText("alice@acme.test")).toBeVisible();
    await expect(widget.getByText("Alice Adams")).toBeVisible();
    expect(widgetCalls.map((c) => c.url)).toContain(`${workosURL}/_widgets/UserProfile/me`);
    expect(widgetCalls.every((c) => c.authorization === `Bearer ${first}`)).toBe(true);
    await page.evaluate(() => (window as any).authkit.unmountProfile());

    // Short-lived access tokens (the emulator's settings): authkit-js refreshes, and after the
    // token has expired getAccessToken() answers a live one of the same session.
    await workosCall("/_emulator/settings", "PATCH", { access_token_ttl_secs: 12 });
    const short = await accessToken(page, true);
    expect(claims(short).exp - claims(short).iat).toBe(12);
    await page.waitForTimeout((claims(short).exp + 1) * 1000 - Date.now());
    const renewed = await accessToken(page);
    expect(renewed).not.toBe(short);
    expect(claims(renewed)).toMatchObject({ sub: user.id, sid });
    expect(claims(renewed).exp * 1000).toBeGreaterThan(Date.now());
    const refreshes = grants.filter((g) => g.body.grant_type === "refresh_token");
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
    for (const refresh of refreshes) {
      if (devMode) {
        expect(refresh.body.refresh_token).toEqual(expect.any(String));
        expect(refresh.cookie).not.toContain(SESSION_COOKIE);
      } else {
        expect(refresh.body).not.toHaveProperty("refresh_token");
        expect(refresh.cookie).toContain(`${SESSION_COOKIE}=`);
      }
    }
    if (!devMode) {
      // Each cookie refresh rotated the cookie's token.
      const tokens = refreshes.map((r) => r.cookie.match(new RegExp(`${SESSION_COOKIE}=([^;]+)`))![1]);
      expect(new Set(tokens).size).toBe(tokens.length);
    }

    // A reload restores the session (devMode: the stored token; otherwise: workos-has-session tells
    // authkit-js to refresh, by cookie), and the widget works with the refreshed token.
    await workosCall("/_emulator/settings", "PATCH", { access_token_ttl_secs: 300 });
    // One refresh now, to a 5-minute token: no refresh of the 12 s tokens is left in flight when
    // the page goes (its rotated token would be lost with the page).
    expect(claims(await accessToken(page, true)).exp - Date.now() / 1000).toBeGreaterThan(60);
    await page.reload();
    await expect(page.getByRole("status")).toHaveText("Signed in as alice@acme.test");
    const restored = await accessToken(page);
    expect(claims(restored)).toMatchObject({ sub: user.id, sid });
    await page.evaluate(() => (window as any).authkit.mountProfile());
    await expect(page.getByRole("region", { name: "Profile" }).getByText("alice@acme.test")).toBeVisible();
    expect(widgetCalls.at(-1)!.authorization).toBe(`Bearer ${restored}`);

    // Sign out: the emulator ends the session and clears its cookies; the last refresh token is
    // refused from then on.
    const lastRefreshToken = devMode
      ? await page.evaluate((key) => localStorage.getItem(key), `workos:refresh-token:${CLIENT_ID}`)
      : (await page.context().cookies(`${workosURL}/user_management/authenticate`)).find((c) => c.name === SESSION_COOKIE)!.value;
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(`${origin}/`);
    await expect(page.getByRole("status")).toHaveText("Signed out");
    expect(await page.context().cookies(workosURL)).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).toBe("");
    expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes("refresh")))).toEqual([]);
    const refused = await fetch(`${workosURL}/user_management/authenticate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_id: CLIENT_ID, grant_type: "refresh_token", refresh_token: lastRefreshToken }),
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error_description).toContain("ended");
    await page.reload();
    await expect(page.getByRole("status")).toHaveText("Signed out");
    expect(problems).toEqual([]);
  });
}

test("another origin gets no Access-Control-Allow-Origin: its page cannot exchange a code or refresh", async ({ page, problems }) => {
  const other = `http://127.0.0.1:${otherPort}`;
  for (const [method, pathname] of [["POST", "/user_management/authenticate"], ["GET", `/sso/jwks/${CLIENT_ID}`]]) {
    const preflight = await fetch(`${workosURL}${pathname}`, {
      method: "OPTIONS",
      headers: { origin: other, "access-control-request-method": method, "access-control-request-headers": "content-type" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    const allowed = await fetch(`${workosURL}${pathname}`, {
      method: "OPTIONS",
      headers: { origin: `http://127.0.0.1:${pagePort}`, "access-control-request-method": method, "access-control-request-headers": "content-type" },
    });
    expect(allowed.headers.get("access-control-allow-origin")).toBe(`http://127.0.0.1:${pagePort}`);
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");
  }

  // In the browser: authkit-js's refresh from that page fails, with the browser's CORS refusal.
  await page.goto(`${other}/`);
  await expect(page.getByRole("status")).toHaveText("Signed out");
  const outcome = await page.evaluate(async (url) => {
    try {
      await fetch(url, { method: "POST", credentials: "include", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id: "client_spa", grant_type: "refresh_token" }) });
      return "answered";
    } catch (e) {
      return String(e);
    }
  }, `${workosURL}/user_management/authenticate`);
  expect(outcome).toContain("TypeError");
  expect(problems.length).toBeGreaterThan(0);
  expect(problems.every((p) => /CORS policy|ERR_FAILED/.test(p)), problems.join("\n")).toBe(true);
});
