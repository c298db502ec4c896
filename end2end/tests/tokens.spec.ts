// Widget tokens are minted once and reused: every widget page is rendered with the token the
// server keeps for the session and context (nav clicks, reloads, new tabs), until shortly before
// `exp`, a 403 or a new context.
import { test, expect, signIn, emulator, tokenCalls, WIDGET_PAGES } from "./fixtures";
import type { Page, Request } from "@playwright/test";

/** The tokens Alice (an Acme admin) needs for the widget pages: one user-level token without scopes (profile,
 *  security, sessions, connections, organizations), and one per permission (Personal API keys,
 *  Members, API keys, Integrations, and the four organization-level ones). */
const TOKENS = 9;

/** The emulator's counts of WorkOS calls (`GET /_emulator/calls`). */
async function calls(): Promise<{ calls: Record<string, number>; grants: Record<string, number>; widget_tokens_minted: number; widget_tokens_rate_limited: number }> {
  return (await emulator("/_emulator/calls", "GET")).json();
}

/** The widget tokens the page's widgets send to WorkOS (`Authorization` of `/_widgets/*` calls). */
function widgetBearers(page: Page) {
  const bearers: string[] = [];
  page.on("request", (r: Request) => {
    const auth = r.headers()["authorization"];
    if (new URL(r.url()).pathname.startsWith("/_widgets/") && auth?.startsWith("Bearer ")) bearers.push(auth.slice(7));
  });
  return bearers;
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1], "base64").toString());

/** Clicks the nav link and waits until the page's widget shows its data (the widget's root in the
 *  `resolved` state), with no error notice. */
async function visit(page: Page, { link, widget }: (typeof WIDGET_PAGES)[number]) {
  await page.getByRole("navigation").getByRole("link", { name: link, exact: true }).click();
  const host = page.locator(`[data-widget="${widget}"]`);
  await expect(host).toHaveAttribute("aria-busy", "false");
  await expect(host.locator('[data-woswidgets-widget-state="resolved"]').first()).toBeVisible();
  await expect(host.getByRole("alert")).toHaveCount(0);
}

test("clicking through every widget page 30 times as fast as they load: no 'too many requests', no token calls and no mints while the token is fresh", async ({ page, problems }) => {
  test.setTimeout(600_000);
  // Access tokens of an hour: however long the rounds take on a busy machine, no refresh falls in
  // them (a refresh is not what this test is about).
  expect((await emulator("/_emulator/settings", "PATCH", { access_token_ttl_secs: 3600 })).status).toBe(200);
  const seen = tokenCalls(page);
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "alice@acme.test");
  await expect(page.locator('[data-widget="user-profile"]').getByText("alice@acme.test", { exact: true })).toBeVisible();
  // Signed in and on the first widget page: one user-level token, minted once, and sent with the
  // page (the page asked no server function for it).
  expect((await calls()).widget_tokens_minted).toBe(1);
  expect(seen).toEqual({ plain: 0, fresh: 0 });

  // Once round: each page with a permission needs its own (scoped) token, minted once when the
  // server renders that page first; every page comes with its token, so none asks the server
  // function for one.
  for (const target of WIDGET_PAGES) await visit(page, target);
  const asked = { plain: 0, fresh: 0 };
  expect(seen).toEqual(asked);
  const warm = await calls();
  expect(warm.widget_tokens_minted).toBe(TOKENS);

  for (let round = 0; round < 30; round++) for (const target of WIDGET_PAGES) await visit(page, target);

  await expect(page.getByText(/too many requests/i)).toHaveCount(0);
  expect(seen).toEqual(asked);
  const after = await calls();
  expect(after.widget_tokens_minted).toBe(TOKENS);
  expect(after.widget_tokens_rate_limited).toBe(0);
  // 404 widget page views after sign-in, a mint per token in all; WorkOS saw no token call in the
  // 390 of the rounds, nor any refresh (the access token lives an hour here).
  expect(after.calls["POST /widgets/token"]).toBe(TOKENS);
  expect(after.grants["refresh_token"] ?? 0).toBe(0);
  expect(problems).toEqual([]);
});

test("reloads and new tabs reuse the server's token; a 403 gets a fresh one, which the next pages use", async ({ page, problems }) => {
  const seen = tokenCalls(page);
  const bearers = widgetBearers(page);
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "alice@acme.test");
  const profile = page.locator('[data-widget="user-profile"]');
  await expect(profile.getByText("alice@acme.test", { exact: true })).toBeVisible();
  const first = bearers[0];
  expect(first).toBeTruthy();

  // Full page loads (a reload, another tab): the page carries the token the server holds; no mint.
  await page.reload();
  await expect(profile.getByText("alice@acme.test", { exact: true })).toBeVisible();
  const tab = await page.context().newPage();
  await tab.goto("/account/security");
  await expect(tab.locator('[data-widget="user-security"]').getByText("Password", { exact: true }).first()).toBeVisible();
  await tab.close();
  expect((await calls()).widget_tokens_minted).toBe(1);
  expect(new Set(bearers)).toEqual(new Set([first]));

  // WorkOS refuses the widget's next call with a 403 (as it does a token it no longer accepts): the
  // widget asks `authToken`, which gets a fresh token (a mint), and retries with it. (In the
  // browser: the emulator's injected faults carry no CORS headers, so the browser would see a
  // network error, not a 403.)
  let refusals = 0;
  await page.route("**/_widgets/UserProfile/me", async (route) => {
    if (route.request().method() !== "GET" || refusals++ > 0) return route.continue();
    const origin = new URL(page.url()).origin;
    await route.fulfill({ status: 403, headers: { "access-control-allow-origin": origin, "content-type": "application/json" }, body: JSON.stringify({ message: "Invalid widget token." }) });
  });
  await page.reload();
  await expect.poll(() => seen.fresh).toBe(1);
  await expect(profile.getByText("alice@acme.test", { exact: true })).toBeVisible();
  await expect(profile.getByRole("alert")).toHaveCount(0);
  expect((await calls()).widget_tokens_minted).toBe(2);
  await expect.poll(() => bearers.at(-1)).not.toBe(first);
  const renewed = bearers.at(-1)!;
  expect(renewed).not.toBe(first);

  // The next page mounts with the fresh token, asking nobody.
  const before = { ...seen };
  await page.getByRole("navigation").getByRole("link", { name: "Security", exact: true }).click();
  await expect(page.locator('[data-widget="user-security"]').getByText("Password", { exact: true }).first()).toBeVisible();
  expect(seen).toEqual(before);
  expect(bearers.at(-1)).toBe(renewed);
  // And so does the next full page load (the server keeps the fresh one).
  await page.reload();
  await expect(page.locator('[data-widget="user-security"]').getByText("Password", { exact: true }).first()).toBeVisible();
  expect(bearers.at(-1)).toBe(renewed);
  expect((await calls()).widget_tokens_minted).toBe(2);
  // The injected 403 is the one failed request.
  expect(problems.filter((p) => !p.includes("/_widgets/") && !p.includes("status of 403"))).toEqual([]);
});

test("after an organization switch the next pages get a token of the new organization, never the old one", async ({ page, problems }) => {
  const bearers = widgetBearers(page);
  await page.goto("/sign-in?return_to=/organization/switch");
  await signIn(page, "alice@acme.test");
  const switcher = page.locator('[data-widget="organization-switcher"]');
  await expect(switcher.getByText("Acme Corp")).toBeVisible();
  await switcher.getByRole("button").filter({ hasText: "Acme Corp" }).click();
  await page.getByRole("menuitem", { name: "Globex" }).click();
  await expect(page.getByTestId("nav-organization")).toHaveText("Globex");
  await expect(switcher.getByRole("button").filter({ hasText: "Globex" })).toBeVisible();

  const switched = bearers.length;
  await page.getByRole("navigation").getByRole("link", { name: "Profile", exact: true }).click();
  await expect(page.locator('[data-widget="user-profile"]').getByText("alice@acme.test", { exact: true })).toBeVisible();
  await page.reload();
  await expect(page.locator('[data-widget="user-profile"]').getByText("alice@acme.test", { exact: true })).toBeVisible();
  const after = bearers.slice(switched);
  expect(after.length).toBeGreaterThan(0);
  // Every widget call since the switch carried a Globex token.
  expect(new Set(after.map((t) => claims(t).org_id))).toEqual(new Set(["org_01JDEM00000000000000GL0BEX"]));
  expect(problems).toEqual([]);
});
