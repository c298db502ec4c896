// The organization admin pages (API keys, SSO, domains, directory sync, audit-log streaming) and
// personal API keys: the real widgets against the emulator, with its Admin Portal.
import { test, expect, signIn } from "./fixtures";
import type { Page } from "@playwright/test";

/** Every widget page: path, bridge id. */
const WIDGET_PAGES = [
  ["/account/profile", "user-profile"],
  ["/account/security", "user-security"],
  ["/account/sessions", "user-sessions"],
  ["/account/api-keys", "user-api-keys"],
  ["/organization/users", "users-management"],
  ["/organization/api-keys", "api-keys"],
  ["/organization/sso", "admin-portal-sso-connection"],
  ["/organization/domains", "admin-portal-domain-verification"],
  ["/organization/directory-sync", "directory-sync"],
  ["/organization/audit-logs", "admin-portal-audit-log-streaming"],
  ["/organization/switch", "organization-switcher"],
] as const;

/** The admin-only pages, their bridge id and the notice a member gets instead. */
const ADMIN_PAGES = [
  ["/organization/api-keys", "api-keys", "Only organization admins manage the organization's API keys."],
  ["/organization/sso", "admin-portal-sso-connection", "Only organization admins set up single sign-on."],
  ["/organization/domains", "admin-portal-domain-verification", "Only organization admins verify the organization's domains."],
  ["/organization/directory-sync", "directory-sync", "Only organization admins set up directory sync."],
  ["/organization/audit-logs", "admin-portal-audit-log-streaming", "Only organization admins set up audit-log streaming."],
] as const;

async function signInTo(page: Page, path: string, email: string) {
  await page.goto(`/sign-in?return_to=${encodeURIComponent(path)}`);
  await signIn(page, email);
  await expect(page).toHaveURL(new RegExp(`${path}$`));
}

function widget(page: Page, id: string) {
  return page.locator(`[data-widget="${id}"]`);
}

test("every widget page loads for an admin with no request leaving the app and the emulator", async ({ page, problems, baseURL }) => {
  const allowed = [new URL(baseURL!).origin, new URL(process.env.EMULATOR_URL!).origin];
  const elsewhere: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (!["data:", "blob:"].includes(url.protocol) && !allowed.includes(url.origin)) elsewhere.push(r.url());
  });
  await signInTo(page, "/account/profile", "alice@acme.test");
  for (const [path, id] of WIDGET_PAGES) {
    await page.goto(path);
    await expect(widget(page, id)).toHaveAttribute("aria-busy", "false");
    await expect(page.getByTestId("not-permitted")).toHaveCount(0);
    await page.waitForLoadState("networkidle");
    // Every image the widget shows loaded (icons are served locally, not from a CDN).
    const broken = await widget(page, id).evaluate((root) =>
      [...root.querySelectorAll("img")].filter((img) => !img.complete || img.naturalWidth === 0).map((img) => img.src),
    );
    expect(broken, path).toEqual([]);
  }
  expect(elsewhere).toEqual([]);
  expect(problems).toEqual([]);
});

test("a member is told each admin page is for admins, and the server refuses its token", async ({ page, problems }) => {
  await signInTo(page, "/organization/api-keys", "bob@acme.test");
  for (const [path, id, notice] of ADMIN_PAGES) {
    await page.goto(path);
    await expect(page.getByTestId("not-permitted")).toContainText(notice);
    await expect(page.getByTestId("not-permitted")).toContainText("Your role in Acme Corp is member.");
    await expect(widget(page, id)).toHaveCount(0);
    const response = await page.request.post("/api/widget_token", { form: { kind: id }, failOnStatusCode: false });
    expect(response.status(), path).toBe(403);
    expect(await response.json()).toEqual({ Forbidden: notice });
  }
  expect(problems).toEqual([]);
});

test("an admin creates an organization API key, sees its secret once, then edits its expiry and revokes it", async ({ page, problems }) => {
  await signInTo(page, "/organization/api-keys", "alice@acme.test");
  const keys = widget(page, "api-keys");
  await expect(keys.getByText("No API keys yet")).toBeVisible();
  await keys.getByRole("button", { name: "Create API key" }).click();
  const create = page.getByRole("dialog", { name: "Create API key" });
  await create.getByLabel("Name").fill("Reporting export");
  await create.getByText("Read posts", { exact: true }).click();
  await create.getByText("Export reports", { exact: true }).click();
  await create.getByRole("button", { name: "Create API key" }).click();

  // The secret, once: the full value in the "Save your key" dialog.
  const saved = page.getByRole("dialog", { name: "Save your key" });
  await expect(saved).toBeVisible();
  const secret = await saved.getByRole("textbox").inputValue();
  expect(secret).toMatch(/^sk_test_[\w-]{20,}$/);
  await saved.getByRole("button", { name: "Copy and close" }).click();
  await expect(saved).toBeHidden();
  const row = keys.getByRole("row", { name: /Reporting export/ });
  await expect(row).toBeVisible();
  await expect(row).not.toContainText(secret);
  await expect(row).toContainText(secret.slice(-4));

  // After a reload the secret is nowhere on the page, only the obfuscated value.
  await page.reload();
  await expect(row).toBeVisible();
  await expect(page.getByText(secret)).toHaveCount(0);
  await row.getByRole("button", { name: "API key actions" }).click();
  await page.getByRole("menuitem", { name: "View details" }).click();
  const details = page.getByRole("dialog", { name: "API key details" });
  await expect(details).toContainText("Read posts");
  await expect(details).toContainText("Export reports");
  await expect(details).not.toContainText(secret);
  await details.getByRole("button", { name: "Close" }).first().click();

  // A new expiry: in 1 hour. Columns: name, obfuscated value, last used, expires.
  const lastUsed = row.getByRole("cell").nth(2);
  const expires = row.getByRole("cell").nth(3);
  await expect(lastUsed).toHaveText("Never");
  const expiresBefore = await expires.innerText();
  await row.getByRole("button", { name: "API key actions" }).click();
  await page.getByRole("menuitem", { name: "Edit expiration" }).click();
  const expiry = page.getByRole("dialog", { name: "Edit secret key expiration" });
  await expiry.getByRole("combobox").click();
  await page.getByRole("option", { name: "in 1 hour" }).click();
  await expiry.getByRole("button", { name: "Save changes" }).click();
  await expect(expiry).toBeHidden();
  await expect(expires).not.toHaveText(expiresBefore);
  const inAnHour = new Date(Date.now() + 3600_000);
  await expect(expires).toContainText(String(inAnHour.getFullYear()));

  // The key works against the public API until it is revoked.
  const validate = async () =>
    (await (await fetch(`${process.env.EMULATOR_URL}/api_keys/validations`, {
      method: "POST",
      headers: { authorization: "Bearer sk_test_emulator", "content-type": "application/json" },
      body: JSON.stringify({ value: secret }),
    })).json()).api_key;
  expect((await validate())?.name).toBe("Reporting export");
  // A validation is a use: the widget shows it after a reload.
  await page.reload();
  await expect(lastUsed).not.toHaveText("Never");
  await row.getByRole("button", { name: "API key actions" }).click();
  await page.getByRole("menuitem", { name: "Revoke key" }).click();
  const revoke = page.getByRole("alertdialog", { name: "Revoke API key?" });
  await revoke.getByRole("button", { name: "Revoke key" }).click();
  await expect(row).toHaveCount(0);
  await expect(keys.getByText("No API keys yet")).toBeVisible();
  expect(await validate()).toBeNull();
  expect(problems).toEqual([]);
});

test("a member creates a personal API key on an account page and sees only their own keys", async ({ page, problems }) => {
  await signInTo(page, "/account/api-keys", "bob@acme.test");
  const keys = widget(page, "user-api-keys");
  await keys.getByRole("button", { name: "Create API key" }).click();
  const create = page.getByRole("dialog", { name: "Create API key" });
  await create.getByLabel("Name").fill("Bob's laptop script");
  await create.getByRole("button", { name: "Create API key" }).click();
  const saved = page.getByRole("dialog", { name: "Save your key" });
  await expect(saved.getByRole("textbox")).toHaveValue(/^sk_test_/);
  await saved.getByRole("button", { name: "Copy and close" }).click();
  await expect(keys.getByRole("row", { name: /Bob's laptop script/ })).toBeVisible();
  // manage-self: no owner column.
  await expect(keys.getByRole("columnheader", { name: "Owner" })).toHaveCount(0);
  expect(problems).toEqual([]);
});
