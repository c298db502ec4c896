// WorkOS failing: clear notices, sessions kept on transient errors, recovery without signing in.
import { test, expect, signIn, emulator } from "./fixtures";

test("a widget token WorkOS fails to mint shows a clear notice, and Try again recovers", async ({ page, problems }) => {
  await page.goto("/sign-in?return_to=/");
  await signIn(page, "alice@acme.test");
  // Three 500s: the first mint and both retries fail.
  await emulator("/_emulator/faults", "POST", { path_prefix: "/widgets/token", count: 3, kind: "error", status: 500 });
  await page.goto("/account/security");
  const widget = page.locator('[data-widget="user-security"]');
  const notice = widget.getByRole("alert");
  await expect(notice).toContainText("Your security settings could not be shown.");
  await expect(notice).toContainText("WorkOS is unavailable right now. Try again in a moment.");
  await notice.getByRole("button", { name: "Try again" }).click();
  await expect(widget.getByText("Password", { exact: true }).first()).toBeVisible();
  await expect(notice).toHaveCount(0);
  // The one refused mint (502 from the server function) is the only failure.
  expect(problems.filter((p) => !p.includes("/api/widget_token") && !p.includes("status of 502"))).toEqual([]);
});

test("when WorkOS cannot refresh an expired session the user stays signed in and sees why", async ({ page, problems, baseURL }) => {
  // One-second access tokens: every page load must refresh.
  await emulator("/_emulator/settings", "PATCH", { access_token_ttl_secs: 1 });
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "alice@acme.test");
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  const before = (await page.context().cookies(baseURL)).find((c) => c.name === "wos-session");

  await emulator("/_emulator/faults", "POST", { path_prefix: "/user_management/authenticate", kind: "error", status: 503 });
  await page.waitForTimeout(1100);
  const response = await page.goto("/account/profile");
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId("session-notice")).toContainText("WorkOS is unavailable right now.");
  await expect(page.getByTestId("session-notice")).toContainText("You are still signed in");
  // Not sent to sign-in, and the cookie (with its refresh token) is kept.
  expect(new URL(page.url()).pathname).toBe("/account/profile");
  const kept = (await page.context().cookies(baseURL)).find((c) => c.name === "wos-session");
  expect(kept?.value).toBe(before?.value);

  // WorkOS is back: the next page refreshes the session, no sign-in needed.
  await emulator("/_emulator/faults", "DELETE");
  await page.reload();
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  await expect(page.getByTestId("session-notice")).toHaveCount(0);
  await expect(page.locator('[data-widget="user-profile"]').getByText("alice@acme.test")).toBeVisible();
  // While WorkOS was down the widget's token request failed (502); nothing else did.
  expect(problems.filter((p) => !p.includes("/api/widget_token") && !p.includes("status of 502"))).toEqual([]);
});

test("a refresh whose reply is lost after the exchange is retried: the user stays signed in and the next page shows their data", async ({ page, problems, baseURL }) => {
  // Access tokens of 61 s: the app refreshes them (60 s before expiry) on every request from a
  // second or two after they were minted, and they stay valid while it checks the new one.
  await emulator("/_emulator/settings", "PATCH", { access_token_ttl_secs: 61 });
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "alice@acme.test");
  await expect(page.locator('[data-widget="user-profile"]').getByText("alice@acme.test")).toBeVisible();
  const session = async () => (await page.context().cookies(baseURL)).find((c) => c.name === "wos-session")?.value;
  const before = await session();
  const replays = async () => (await (await emulator("/_emulator/calls", "GET")).json()).refresh_token_replays;
  const replaysBefore = await replays();

  // WorkOS rotates the refresh token, then the reply is lost on the way back (a dropped
  // connection): the app retries with the same refresh token inside WorkOS's replay grace period.
  await emulator("/_emulator/faults", "POST", { path_prefix: "/user_management/authenticate", count: 1, kind: "lose_reply" });
  await page.waitForTimeout(2100);
  const response = await page.goto("/account/profile");
  expect(response?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe("/account/profile");
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  await expect(page.getByTestId("session-notice")).toHaveCount(0);
  await expect(page.locator('[data-widget="user-profile"]').getByText("alice@acme.test")).toBeVisible();
  // The fault was used, the retry was answered as a replay, and the session moved on.
  expect((await (await emulator("/_emulator/faults", "GET")).json()).data).toEqual([]);
  expect(await replays()).toBeGreaterThan(replaysBefore);
  expect(await session()).not.toBe(before);

  // The next page shows her data too: still signed in, no sign-in page on the way.
  await page.goto("/account/sessions");
  expect(new URL(page.url()).pathname).toBe("/account/sessions");
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  await expect(page.locator('[data-widget="user-sessions"]').getByText("This device")).toBeVisible();
  expect(problems).toEqual([]);
});

test("an unknown page is a styled 404, and a forged or failed sign-in lands on a clear error page", async ({ page, problems }) => {
  const missing = await page.goto("/no/such/page");
  expect(missing?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("navigation")).toBeVisible();

  // A callback whose state this browser never started.
  await page.goto("/callback?code=forged&state=forged");
  await expect(page).toHaveURL(/\/auth-error\?reason=(state|expired)$/);
  await expect(page.getByRole("heading", { name: "Sign-in problem" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in again" })).toBeVisible();

  // WorkOS failing while the code is exchanged.
  await emulator("/_emulator/faults", "POST", { path_prefix: "/user_management/authenticate", count: 1, kind: "error", status: 500 });
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "bob@acme.test");
  await expect(page).toHaveURL(/\/auth-error\?reason=/);
  await expect(page.getByRole("alert")).toContainText("WorkOS is unavailable right now. Try again in a moment.");
  // The 404 was asked for; nothing else failed.
  expect(problems.filter((p) => !p.includes("/no/such/page") && !p.includes("status of 404"))).toEqual([]);
});

test("a WorkOS 429 on a token mint is retried after Retry-After; a lasting one gets a clear notice", async ({ page, problems }) => {
  await page.goto("/sign-in?return_to=/");
  await signIn(page, "alice@acme.test");
  // One 429 (Retry-After: 1 s): the server waits and retries; the widget never notices.
  await emulator("/_emulator/faults", "POST", { path_prefix: "/widgets/token", count: 1, kind: "rate_limit", retry_after_secs: 1 });
  const started = Date.now();
  await page.goto("/account/profile");
  const widget = page.locator('[data-widget="user-profile"]');
  await expect(widget.getByText("alice@acme.test")).toBeVisible();
  expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  await expect(widget.getByRole("alert")).toHaveCount(0);
  expect(problems).toEqual([]);

  // Still limited after three attempts, on the next mint (the users table's token: the user-level
  // one is held and reused): the notice says so, and Try again works once it clears.
  await emulator("/_emulator/faults", "POST", { path_prefix: "/widgets/token", count: 3, kind: "rate_limit", retry_after_secs: 1 });
  await page.goto("/organization/users");
  const members = page.locator('[data-widget="users-management"]');
  await expect(members.getByRole("alert")).toContainText("WorkOS is busy. Try again in 1 s.");
  await members.getByRole("button", { name: "Try again" }).click();
  await expect(members.getByText("bella.brooks@acme.test")).toBeVisible();
});

test("WorkOS's per-API-key mint limit: a 429 asking to wait longer than the mint's budget is answered at once as 'WorkOS is busy'", async ({ page }) => {
  await page.goto("/sign-in?return_to=/");
  await signIn(page, "alice@acme.test");
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  // The emulator's limit, as WorkOS's: one mint a minute for this API key, used up here.
  await emulator("/_emulator/settings", "PATCH", { widget_token_mints_per_minute: 1 });
  expect((await page.request.post("/api/widget_token", { form: { kind: "user-profile" } })).status()).toBe(200);
  const started = Date.now();
  const refused = await page.request.post("/api/widget_token", { form: { kind: "users-management" }, failOnStatusCode: false });
  expect(Date.now() - started).toBeLessThan(3000);
  expect(refused.status()).toBe(429);
  const wait = Number(refused.headers()["retry-after"]);
  expect(wait).toBeGreaterThan(5);
  expect(await refused.json()).toEqual({ RateLimited: wait });
  await page.goto("/organization/users");
  await expect(page.locator('[data-widget="users-management"]').getByRole("alert")).toContainText(`WorkOS is busy. Try again in`);
});
