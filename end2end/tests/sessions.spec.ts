// Sessions: each sign-in is a session; revoking one signs that browser out on its next refresh.
import { test, expect, signIn, emulator } from "./fixtures";
import type { Browser, Page } from "@playwright/test";

const SAFARI = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15";

/**
 * Access tokens minted from now on live 61 s, so the app refreshes them (60 s before expiry) on
 * every page load from a second after sign-in: a revoked session shows at the next page instead
 * of five minutes later. Called after this browser signed in (its token keeps five minutes and is
 * not refreshed) and before the other devices sign in (refreshed on each of their page loads, so
 * theirs are the user's most recently active sessions).
 */
async function shortAccessTokens() {
  await emulator("/_emulator/settings", "PATCH", { access_token_ttl_secs: 61 });
}

/** Alice, signed in from a second browser (another context, a Safari user agent). */
async function aliceOnAnotherDevice(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, userAgent: SAFARI });
  const page = await context.newPage();
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "alice@acme.test");
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  return page;
}

async function expectSignedOut(page: Page, baseURL: string) {
  await page.goto("/account/security");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect((await page.context().cookies(baseURL)).find((c) => c.name === "wos-session")).toBeUndefined();
}

test("revoking another session signs that browser out on its next page", async ({ page, problems, browser, baseURL }) => {
  await page.goto("/sign-in?return_to=/account/sessions");
  await signIn(page, "alice@acme.test");
  await shortAccessTokens();
  const other = await aliceOnAnotherDevice(browser, baseURL!);
  await page.reload();

  const sessions = page.locator('[data-widget="user-sessions"]');
  // This browser's session is marked (the widget token's `sid` is its session id).
  await expect(sessions.getByText("This device")).toBeVisible();
  await expect(sessions.getByText("Safari on macOS")).toBeVisible();
  // One "Sign out" per other session (none on this device), then "all other devices".
  await sessions.getByRole("button", { name: "Sign out" }).first().click();
  const confirm = page.getByRole("alertdialog", { name: "Sign out of device?" });
  await expect(confirm).toContainText("You will be signed out of Safari on macOS.");
  await confirm.getByRole("button", { name: "Sign out" }).click();
  await expect(confirm).toBeHidden();
  await expect(sessions.getByText("Safari on macOS")).toBeHidden();
  await expect(sessions.getByText("This device")).toBeVisible();

  await expectSignedOut(other, baseURL!);
  // This browser keeps going.
  await page.reload();
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  await expect(sessions.getByText("This device")).toBeVisible();
  await other.context().close();
  expect(problems).toEqual([]);
});

test("signing out all other devices keeps only this one", async ({ page, problems, browser, baseURL }) => {
  // The other two are the user's newest and most active sessions: "this device" must still be
  // this one (the app passes its own session id, whichever session the widget token names).
  await page.goto("/sign-in?return_to=/account/sessions");
  await signIn(page, "alice@acme.test");
  await shortAccessTokens();
  const first = await aliceOnAnotherDevice(browser, baseURL!);
  const second = await aliceOnAnotherDevice(browser, baseURL!);
  await page.reload();

  const sessions = page.locator('[data-widget="user-sessions"]');
  await expect(sessions.getByText("This device")).toBeVisible();
  await expect(sessions.getByText("Safari on macOS")).toHaveCount(2);
  await expect(sessions.getByRole("button", { name: "Sign out" })).toHaveCount(3);
  await expect(sessions.getByText("Safari on macOS")).toHaveCount(2);
  await sessions.getByRole("button", { name: "Sign out" }).last().click();
  // The widget asks before signing out every other device.
  const confirm = page.getByRole("alertdialog", { name: "Sign out of all other devices?" });
  await confirm.getByRole("button", { name: "Sign out" }).click();
  await expect(confirm).toBeHidden();
  await expect(sessions.getByText("Safari on macOS")).toHaveCount(0);

  await expectSignedOut(first, baseURL!);
  await expectSignedOut(second, baseURL!);
  await page.reload();
  await expect(sessions.getByText("This device")).toBeVisible();
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  await first.context().close();
  await second.context().close();
  expect(problems).toEqual([]);
});
