// Rewrites the README's screenshots (docs/screenshots/). Run with `make screenshots`.
import path from "node:path";
import { test, expect, signIn } from "../tests/fixtures";

const out = (name: string) => path.resolve(__dirname, "../../docs/screenshots", name);

test("screenshots", async ({ page }) => {
  await page.setViewportSize({ width: 1100, height: 720 });
  await page.goto("/account/profile");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.screenshot({ path: out("sign-in.png") });
  await signIn(page, "alice@acme.test");
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto("/account/profile");
    await expect(page.locator('[data-widget="user-profile"]').getByText("alice@acme.test")).toBeVisible();
    await page.screenshot({ path: out(`profile-${scheme}.png`) });
  }
});
