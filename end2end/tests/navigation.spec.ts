// Nav links between widget pages: the bridge swaps the next server-rendered page in without a
// page load (bridge/src/navigate.js), keeping React and the loaded widget code.
import { test, expect, signIn, tokenCalls } from "./fixtures";
import type { Page } from "@playwright/test";

const nav = (page: Page, name: string) => page.getByRole("navigation").getByRole("link", { name, exact: true });

test("a nav link shows the next widget page in the same document: its widget booted, the old one unmounted, the islands live, back and forward", async ({ page, problems }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "alice@acme.test");
  const profile = page.locator('[data-widget="user-profile"]');
  await expect(profile.getByText("alice@acme.test", { exact: true })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("data-islands-hydrated", "");
  await page.evaluate(() => ((window as any).__samePage = true));
  const seen = tokenCalls(page);

  await nav(page, "Security").click();
  await expect(page).toHaveURL(/\/account\/security$/);
  const security = page.locator('[data-widget="user-security"]');
  await expect(security.getByText("Password", { exact: true }).first()).toBeVisible();
  await expect(page).toHaveTitle(/^Security/);
  await expect(nav(page, "Security")).toHaveAttribute("aria-current", "page");
  await expect(nav(page, "Profile")).not.toHaveAttribute("aria-current", "page");
  await expect(page.getByRole("heading", { level: 1, name: "Security" })).toBeFocused();
  // One widget in the page: the profile's React root is gone with its page.
  await expect(page.locator(".radix-themes")).toHaveCount(1);
  await expect(profile).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);

  // The new page's widget host is a live island: the theme reaches its widget in place.
  const radix = security.locator(".radix-themes");
  await expect(radix).toHaveClass(/\blight\b/);
  const toggle = page.getByTestId("theme-toggle");
  await toggle.click();
  await toggle.click();
  await expect(toggle).toHaveText("Dark theme");
  await expect(radix).toHaveClass(/\bdark\b/);
  await expect(security.locator(".widget-skeleton")).toHaveCount(0);

  // Back and forward swap too.
  await page.goBack();
  await expect(page).toHaveURL(/\/account\/profile$/);
  await expect(profile.getByText("alice@acme.test", { exact: true })).toBeVisible();
  await expect(profile.locator(".radix-themes")).toHaveClass(/\bdark\b/);
  await page.goForward();
  await expect(security.getByText("Password", { exact: true }).first()).toBeVisible();
  await expect(page.locator(".radix-themes")).toHaveCount(1);
  expect(await page.evaluate(() => (window as any).__samePage)).toBe(true);

  // Every page came with its token: the browser asked the server function for none.
  expect(seen).toEqual({ plain: 0, fresh: 0 });
  expect(problems).toEqual([]);
});

test("when the session ended, a nav link loads the page the ordinary way: to sign in, and back to that page", async ({ page, problems }) => {
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "alice@acme.test");
  await expect(page.locator('[data-widget="user-profile"]').getByText("alice@acme.test", { exact: true })).toBeVisible();
  await page.context().clearCookies();

  // The server sends a signed-out visitor of a widget page to AuthKit: the swap steps aside.
  await nav(page, "Security").click();
  await signIn(page, "alice@acme.test");
  await expect(page).toHaveURL(/\/account\/security$/);
  await expect(page.locator('[data-widget="user-security"]').getByText("Password", { exact: true }).first()).toBeVisible();
  expect(problems).toEqual([]);
});
