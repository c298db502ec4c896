// The organization admin pages (API keys, SSO, domains, directory sync, audit-log streaming) and
// personal API keys: the real widgets against the emulator, with its Admin Portal.
import { test, expect, signInTo, widget, WIDGET_PAGES } from "./fixtures";
import type { Page } from "@playwright/test";

/** The admin-only pages, their bridge id and the notice a member gets instead. */
const ADMIN_PAGES = [
  ["/organization/api-keys", "api-keys", "Only organization admins manage the organization's API keys."],
  ["/organization/sso", "admin-portal-sso-connection", "Only organization admins set up single sign-on."],
  ["/organization/domains", "admin-portal-domain-verification", "Only organization admins verify the organization's domains."],
  ["/organization/directory-sync", "directory-sync", "Only organization admins set up directory sync."],
  ["/organization/audit-logs", "admin-portal-audit-log-streaming", "Only organization admins set up audit-log streaming."],
  ["/organization/integrations", "pipes-admin", "Only organization admins choose the organization's integrations."],
] as const;

test("every widget page loads for an admin with no request leaving the app and the emulator", async ({ page, problems, baseURL }) => {
  const allowed = [new URL(baseURL!).origin, new URL(process.env.EMULATOR_URL!).origin];
  const elsewhere: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (!["data:", "blob:"].includes(url.protocol) && !allowed.includes(url.origin)) elsewhere.push(r.url());
  });
  await signInTo(page, "/account/profile", "alice@acme.test");
  for (const { path, widget: id } of WIDGET_PAGES) {
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

/**
 * Clicks `button` in a widget (the widget form-POSTs or links an Admin Portal link to a new tab)
 * and answers the Admin Portal page that opens, on the emulator.
 */
async function openPortal(page: Page, button: ReturnType<Page["getByRole"]>): Promise<Page> {
  const [portal] = await Promise.all([page.context().waitForEvent("page"), button.click()]);
  await portal.waitForLoadState();
  expect(new URL(portal.url()).origin).toBe(new URL(process.env.EMULATOR_URL!).origin);
  await expect(portal.getByRole("heading", { name: "Admin Portal", level: 1 })).toBeVisible();
  return portal;
}

/** Submits one Admin Portal form and waits for its confirmation. */
async function save(portal: Page, button: string) {
  await portal.getByRole("button", { name: button }).click();
  await expect(portal.getByRole("status")).toHaveText("Saved.");
}

test("an admin sets up SSO in the Admin Portal and the widget follows its certificate", async ({ page, problems }) => {
  await signInTo(page, "/organization/sso", "carol@globex.test");
  const sso = widget(page, "admin-portal-sso-connection");
  await expect(sso).toContainText("You haven't set up Single Sign-On yet.");
  const portal = await openPortal(page, sso.getByRole("button", { name: "Set up SSO" }));
  await portal.getByLabel("Identity provider").selectOption({ label: "Okta SAML" });
  await portal.getByLabel("Connection name").fill("Globex Okta");
  await portal.getByLabel("Expires in 14 days").check();
  await save(portal, "Save connection");
  await portal.close();

  // An expiring certificate still counts as connected: the widget warns only once it expired.
  await page.reload();
  await expect(sso).toContainText("Okta");
  await expect(sso).toContainText("Connected");
  await expect(sso).not.toContainText("certificate");
  const manage = await openPortal(page, sso.getByRole("button", { name: "Manage" }));
  await manage.getByLabel("Expired 3 days ago").check();
  await save(manage, "Save connection");
  await manage.close();
  await page.reload();
  await expect(sso).toContainText("Requires action");
  await expect(sso).toContainText("The SAML response signing certificate expired on");
  expect(problems).toEqual([]);
});

test("an admin adds a domain in the Admin Portal, restarts a failed verification and removes a domain", async ({ page, problems }) => {
  await signInTo(page, "/organization/domains", "alice@acme.test");
  const domains = widget(page, "admin-portal-domain-verification");
  const item = (domain: string) =>
    domains.locator(".woswidgets-card-list-item").filter({ has: page.getByText(domain, { exact: true }) });
  await expect(item("acme.test")).toContainText("Verified");
  await expect(item("acme-corp.test")).toContainText("Verification pending");

  const portal = await openPortal(page, domains.getByRole("button", { name: "Add domain" }));
  await portal.getByLabel("Domain", { exact: true }).fill("acme-labs.test");
  await save(portal, "Add domain");
  await portal.getByRole("button", { name: "Fail verification of acme-labs.test" }).click();
  await expect(portal.getByRole("status")).toHaveText("Saved.");
  await portal.getByRole("button", { name: "Verify acme-corp.test" }).click();
  await expect(portal.getByRole("status")).toHaveText("Saved.");
  await portal.close();

  await page.reload();
  await expect(item("acme-corp.test")).toContainText("Verified");
  await expect(item("acme-labs.test")).toContainText("Verification failed");
  await item("acme-labs.test").getByRole("button", { name: "Domain actions" }).click();
  await page.getByRole("menuitem", { name: "Restart verification" }).click();
  // The DNS record to publish, then the restart itself.
  const record = page.getByRole("dialog");
  await expect(record).toContainText("workos-domain-verification=");
  await record.getByRole("button", { name: "Restart verification" }).click();
  await expect(item("acme-labs.test")).toContainText("Verification pending");

  await item("acme-labs.test").getByRole("button", { name: "Domain actions" }).click();
  await page.getByRole("menuitem", { name: "Remove domain" }).click();
  const remove = page.getByRole("alertdialog");
  await expect(remove).toContainText("acme-labs.test");
  await remove.getByRole("button", { name: "Remove domain" }).click();
  await expect(item("acme-labs.test")).toHaveCount(0);
  await page.reload();
  await expect(item("acme.test")).toBeVisible();
  await expect(item("acme-labs.test")).toHaveCount(0);
  expect(problems).toEqual([]);
});

test("an admin connects a directory in the Admin Portal and the widget shows what it synced", async ({ page, problems }) => {
  await signInTo(page, "/organization/directory-sync", "alice@acme.test");
  const directory = widget(page, "directory-sync");
  await expect(directory).toContainText("You haven't set up a directory yet.");
  const portal = await openPortal(page, directory.getByRole("link", { name: "Set up directory" }));
  await portal.getByLabel("Directory provider").selectOption({ label: "Microsoft Entra ID (SCIM)" });
  await portal.getByLabel("Directory name").fill("Acme Entra");
  await portal.getByLabel("Active users", { exact: true }).fill("12");
  await portal.getByLabel("Groups").fill("3");
  await save(portal, "Save directory");
  await portal.close();

  await page.reload();
  await expect(directory).toContainText("Connected");
  await expect(directory).toContainText("12 users");
  await expect(directory).toContainText("3 groups");
  expect(problems).toEqual([]);
});

test("an admin sets up an audit-log stream in the Admin Portal and the widget shows its state", async ({ page, problems }) => {
  await signInTo(page, "/organization/audit-logs", "alice@acme.test");
  const streams = widget(page, "admin-portal-audit-log-streaming");
  await expect(streams).toContainText("You haven't set up Log Streams yet.");
  const portal = await openPortal(page, streams.getByRole("button", { name: "Set up Log Streams" }));
  await portal.getByLabel("Destination").selectOption({ label: "Splunk" });
  await portal.getByLabel("State", { exact: true }).selectOption({ label: "Active (streaming)" });
  await save(portal, "Save log stream");
  await portal.close();

  await page.reload();
  await expect(streams).toContainText("Streaming");
  const manage = await openPortal(page, streams.getByRole("button", { name: "Manage" }));
  await manage.getByLabel("State", { exact: true }).selectOption({ label: "Invalid credentials" });
  await save(manage, "Save log stream");
  await manage.close();
  await page.reload();
  await expect(streams).toContainText("The credentials provided are incorrect or missing.");
  expect(problems).toEqual([]);
});
