// Widget boot: a server-rendered widget page carries the widget's first token, and the bridge
// mounts the widget from it without waiting for the app's WASM; the WASM then adopts that widget
// (one widget, the same node, its theme and token functions from then on).
import { test, expect, signIn, tokenCalls } from "./fixtures";
import type { Page } from "@playwright/test";

/** Holds every WASM download of `page` until the returned function is called. */
async function holdWasm(page: Page) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\.wasm$/, async (route) => {
    await released;
    await route.continue();
  });
  return release;
}

test("a widget page shows its widget before the WASM arrives; the WASM then adopts that widget in place and asks for no token", async ({ page, problems }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto("/sign-in?return_to=/");
  await signIn(page, "alice@acme.test");
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  const seen = tokenCalls(page);
  const release = await holdWasm(page);

  await page.goto("/account/profile", { waitUntil: "domcontentloaded" });
  const widget = page.locator('[data-widget="user-profile"]');
  await expect(widget.getByText("alice@acme.test", { exact: true })).toBeVisible();
  await expect(widget).toHaveAttribute("aria-busy", "false");
  // The WASM is not there: the skeleton it removes is still in the page, hidden.
  const skeleton = widget.locator(".widget-skeleton");
  await expect(skeleton).toHaveCount(1);
  await expect(skeleton).toBeHidden();
  const radixRoot = widget.locator(".radix-themes");
  await expect(radixRoot).toHaveClass(/\blight\b/);
  const booted = await radixRoot.elementHandle();

  // The WASM arrives and hydrates: it takes over the booted widget (no second one, no remount).
  release();
  await expect(skeleton).toHaveCount(0);
  const toggle = page.getByTestId("theme-toggle");
  await toggle.click();
  await expect(toggle).toHaveText("Light theme");
  await toggle.click();
  await expect(toggle).toHaveText("Dark theme");
  // The WASM's theme reaches the booted widget: it owns its handle now.
  await expect(radixRoot).toHaveClass(/\bdark\b/);
  await expect(radixRoot).toHaveCount(1);
  expect(await booted!.evaluate((node) => node.isConnected)).toBe(true);
  // The token came with the page; nothing asked the server function for one.
  expect(seen).toEqual({ plain: 0, fresh: 0 });

  // A nav link brings the next page from the server (swapped in by the bridge), whose own boot
  // data boots its widget: still no token asked of the server function (the server's cache held it).
  await page.getByRole("navigation").getByRole("link", { name: "Security", exact: true }).click();
  await expect(page.locator('[data-widget="user-security"]').getByText("Password", { exact: true }).first()).toBeVisible();
  await expect(page.locator(".radix-themes")).toHaveCount(1);
  await expect(page.locator('[data-widget="user-security"] .widget-skeleton')).toHaveCount(0);
  expect(seen).toEqual({ plain: 0, fresh: 0 });
  expect(problems).toEqual([]);
});

test("a booted widget that needs a fresh token before the WASM arrives waits for the WASM's authToken, then gets one", async ({ page, problems }) => {
  await page.goto("/sign-in?return_to=/");
  await signIn(page, "alice@acme.test");
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  const seen = tokenCalls(page);
  // WorkOS refuses the widget's first call with a 403: the widget asks `authToken` for another.
  let refusals = 0;
  await page.route("**/_widgets/UserProfile/me", async (route) => {
    if (route.request().method() !== "GET" || refusals++ > 0) return route.continue();
    const origin = new URL(page.url()).origin;
    await route.fulfill({ status: 403, headers: { "access-control-allow-origin": origin, "content-type": "application/json" }, body: JSON.stringify({ message: "Invalid widget token." }) });
  });
  const release = await holdWasm(page);

  await page.goto("/account/profile", { waitUntil: "domcontentloaded" });
  await expect.poll(() => refusals).toBeGreaterThan(0);
  // Give a call that would not wait the time to leave: none does while the WASM is held.
  await page.waitForTimeout(500);
  expect(seen).toEqual({ plain: 0, fresh: 0 });

  release();
  await expect.poll(() => seen.fresh).toBe(1);
  const widget = page.locator('[data-widget="user-profile"]');
  await expect(widget.getByText("alice@acme.test", { exact: true })).toBeVisible();
  await expect(widget.getByRole("alert")).toHaveCount(0);
  expect(seen.plain).toBe(0);
  // The injected 403 is the one failed request.
  expect(problems.filter((p) => !p.includes("/_widgets/") && !p.includes("status of 403"))).toEqual([]);
});
