import { test as base, expect, Page, Request } from "@playwright/test";
import crypto from "node:crypto";

export const DEMO_PASSWORD = "demo-password";

/**
 * A page that records every browser-side problem: uncaught errors, console errors and failed
 * requests. Each test ends by asserting there were none (unless it expects some).
 */
export const test = base.extend<{ problems: string[]; freshEmulator: void }>({
  // Every test starts from the seed data (the app's emulator, reset through its own endpoint).
  freshEmulator: [
    async ({}, use) => {
      await emulator("/_emulator/reset", "POST");
      await use();
    },
    { auto: true },
  ],
  problems: async ({ page }, use) => {
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
    page.on("requestfailed", (r) => {
      // A navigation cancels the previous page's pending loads: not a failure of the app.
      if (r.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`));
    await use(problems);
  },
});
export { expect };

/** Calls one of the app's emulator's operations endpoints (`/_emulator/*`); throws unless 2xx. */
export async function emulator(path: string, method: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${process.env.EMULATOR_URL}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status}`);
  return response;
}

/** Signs in on the emulator's AuthKit page with the email and password form. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Every widget page of the app (its registry, in nav order): its path, its nav link, its widget
 *  (bridge id) and the name of its README screenshots (docs/screenshots/<name>-<scheme>.png). */
export const WIDGET_PAGES = [
  { path: "/account/profile", link: "Profile", widget: "user-profile", screenshot: "profile" },
  { path: "/account/security", link: "Security", widget: "user-security", screenshot: "security" },
  { path: "/account/sessions", link: "Sessions", widget: "user-sessions", screenshot: "sessions" },
  { path: "/account/api-keys", link: "Personal API keys", widget: "user-api-keys", screenshot: "personal-api-keys" },
  { path: "/account/connections", link: "Connections", widget: "pipes", screenshot: "connections" },
  { path: "/organization/users", link: "Members", widget: "users-management", screenshot: "members" },
  { path: "/organization/api-keys", link: "API keys", widget: "api-keys", screenshot: "api-keys" },
  { path: "/organization/sso", link: "Single sign-on", widget: "admin-portal-sso-connection", screenshot: "sso" },
  { path: "/organization/domains", link: "Domains", widget: "admin-portal-domain-verification", screenshot: "domains" },
  { path: "/organization/directory-sync", link: "Directory sync", widget: "directory-sync", screenshot: "directory-sync" },
  { path: "/organization/audit-logs", link: "Audit-log streaming", widget: "admin-portal-audit-log-streaming", screenshot: "audit-logs" },
  { path: "/organization/integrations", link: "Integrations", widget: "pipes-admin", screenshot: "integrations" },
  { path: "/organization/switch", link: "Organizations", widget: "organization-switcher", screenshot: "organizations" },
] as const;

/** Opens `path` through the app's sign-in (`/sign-in?return_to=<path>`), signs in as `email` on
 *  the AuthKit page and waits until the app is back on `path`. */
export async function signInTo(page: Page, path: string, email: string) {
  await page.goto(`/sign-in?return_to=${encodeURIComponent(path)}`);
  await signIn(page, email);
  await expect(page).toHaveURL(new RegExp(`${path}$`));
}

/** The mount of the widget with bridge id `id` (e.g. `pipes`, `api-keys`) on an app page. */
export function widget(page: Page, id: string) {
  return page.locator(`[data-widget="${id}"]`);
}

/** Records the page's calls of the `widget_token` server function (with `fresh=true` or not). */
export function tokenCalls(page: Page) {
  const seen = { plain: 0, fresh: 0 };
  page.on("request", (r: Request) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/api/widget_token") {
      if (/(^|&)fresh=true(&|$)/.test(r.postData() ?? "")) seen.fresh++;
      else seen.plain++;
    }
  });
  return seen;
}

/** The code in the newest email the emulator "sent" to `to` (its mailbox, `/_emulator/mailbox`). */
export async function mailedCode(to: string): Promise<string> {
  const mail = await (await fetch(`${process.env.EMULATOR_URL}/_emulator/mailbox?format=json&to=${encodeURIComponent(to)}`)).json();
  return mail.data[0].code;
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) of a base32 secret, as an authenticator app computes it. */
export function totp(secretBase32: string, at = Date.now()): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secretBase32.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
