// Theme: follows the system until the user picks one in the nav; the choice is remembered and
// reaches the mounted widgets in place.
import { test, expect, signIn } from "./fixtures";

test("the theme follows the system, then the nav's choice, in the page and the widget without a remount", async ({ page, problems, baseURL }) => {
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "bob@acme.test");
  const toggle = page.getByTestId("theme-toggle");
  const radixRoot = page.locator('[data-widget="user-profile"] .radix-themes');
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

  // No choice yet: the system's dark scheme, in the app and in the widget.
  await expect(toggle).toHaveText("System theme");
  await expect(radixRoot).toHaveClass(/\bdark\b/);
  expect(await background()).toBe("rgb(17, 17, 19)");
  const mountedRoot = await radixRoot.elementHandle();

  // System → Light: the same widget node re-renders light (a remount would replace the node).
  await toggle.click();
  await expect(toggle).toHaveText("Light theme");
  await expect(radixRoot).toHaveClass(/\blight\b/);
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  expect(await background()).toBe("rgb(247, 248, 250)");
  expect(await mountedRoot!.evaluate((node) => node.isConnected)).toBe(true);

  // Light → Dark, remembered in a cookie: the next page is rendered dark by the server.
  await toggle.click();
  await expect(radixRoot).toHaveClass(/\bdark\b/);
  expect(await mountedRoot!.evaluate((node) => node.isConnected)).toBe(true);
  const cookie = (await page.context().cookies(baseURL)).find((c) => c.name === "theme");
  expect(cookie?.value).toBe("dark");
  await page.emulateMedia({ colorScheme: "light" });
  const html = await (await page.request.get("/")).text();
  expect(html).toContain('<html lang="en" data-theme="dark">');
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(toggle).toHaveText("Dark theme");
  await expect(radixRoot).toHaveClass(/\bdark\b/);

  // Dark → System: the (now light) system scheme again.
  await toggle.click();
  await expect(toggle).toHaveText("System theme");
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", /.*/);
  await expect(radixRoot).toHaveClass(/\blight\b/);
  expect(problems).toEqual([]);
});
