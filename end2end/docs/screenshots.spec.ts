// Rewrites the README's screenshots (docs/screenshots/). Run with `make screenshots`.
import path from "node:path";
import { test, expect, signIn, WIDGET_PAGES } from "../tests/fixtures";

const out = (name: string) => path.resolve(__dirname, "../../docs/screenshots", name);

test("screenshots", async ({ page }) => {
  await page.setViewportSize({ width: 1100, height: 720 });
  await page.goto("/account/profile");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.screenshot({ path: out("sign-in.png") });
  await signIn(page, "alice@acme.test");
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const { screenshot, path: url, widget } of WIDGET_PAGES) {
      await page.goto(url);
      await expect(page.locator(`[data-widget="${widget}"]`)).toHaveAttribute("aria-busy", "false");
      await page.waitForLoadState("networkidle");
      await page.screenshot({ path: out(`${screenshot}-${scheme}.png`) });
    }
    // The emulator's Admin Portal, opened from the SSO widget's "Manage".
    await page.goto("/organization/sso");
    const sso = page.locator('[data-widget="admin-portal-sso-connection"]');
    const [portal] = await Promise.all([page.context().waitForEvent("page"), sso.getByRole("button", { name: "Manage" }).click()]);
    await portal.emulateMedia({ colorScheme: scheme });
    await portal.setViewportSize({ width: 1100, height: 720 });
    await expect(portal.getByRole("heading", { name: "Admin Portal", level: 1 })).toBeVisible();
    await portal.screenshot({ path: out(`admin-portal-${scheme}.png`) });
    await portal.close();
    // The emulator's Pipes consent screen, opened from Connections (GitHub, Connect); denied.
    await page.goto("/account/connections");
    const github = page.locator('[data-widget="pipes"] .woswidgets-card-list-item').filter({ hasText: "GitHub" });
    await github.getByRole("button", { name: "Connect" }).click();
    const [consent] = await Promise.all([page.waitForEvent("popup"), page.getByRole("dialog").getByRole("button", { name: "Connect" }).click()]);
    await consent.emulateMedia({ colorScheme: scheme });
    await consent.setViewportSize({ width: 1100, height: 720 });
    await expect(consent.getByRole("button", { name: "Allow" })).toBeVisible();
    await consent.screenshot({ path: out(`pipes-consent-${scheme}.png`) });
    await consent.getByRole("button", { name: "Deny" }).click();
    await consent.close();
  }
});
