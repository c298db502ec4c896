// Pipes (/account/connections) and PipesAdmin (/organization/integrations): the real widgets
// against the emulator, whose popup plays the provider's OAuth consent (contract §7.7, §7.8).
import { test, expect, signInTo, widget } from "./fixtures";
import type { BrowserContext, Page } from "@playwright/test";

/** A provider's row in the Pipes or PipesAdmin list. */
function row(page: Page, id: string, provider: string) {
  return widget(page, id).locator(".woswidgets-card-list-item").filter({ hasText: provider });
}

/** Every request of the browser context (the page and its popups) to another origin than the app
 *  and the emulator, and every console error or uncaught error of a popup. */
function watch(context: BrowserContext, baseURL: string) {
  const allowed = [new URL(baseURL).origin, new URL(process.env.EMULATOR_URL!).origin];
  const seen = { elsewhere: [] as string[], popupProblems: [] as string[] };
  context.on("request", (r) => {
    const url = new URL(r.url());
    if (!["data:", "blob:"].includes(url.protocol) && !allowed.includes(url.origin)) seen.elsewhere.push(r.url());
  });
  context.on("page", (p) => {
    p.on("pageerror", (e) => seen.popupProblems.push(`popup page error: ${e.message}`));
    p.on("console", (m) => m.type() === "error" && seen.popupProblems.push(`popup console error: ${m.text()}`));
  });
  return seen;
}

/** Clicks Connect on the row and in the widget's dialog: the popup the widget opens, on the
 *  emulator's consent screen once the widget has handed it its token. */
async function startOAuth(page: Page, provider: string, owner = "pipes") {
  await row(page, owner, provider).getByRole("button", { name: "Connect" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText(`Account uses WorkOS to connect to ${provider}.`);
  const opened = page.waitForEvent("popup");
  await dialog.getByRole("button", { name: "Connect" }).click();
  const popup = await opened;
  await expect(popup.getByRole("heading", { name: `Connect ${provider}` })).toBeVisible();
  // The Allow and Deny buttons appear only after the handoff check.
  await expect(popup.getByRole("button", { name: "Allow" })).toBeVisible();
  await expect(dialog).toBeHidden();
  return popup;
}

/** The widget refetches its list when its page becomes visible again (TanStack Query's focus
 *  refetch listens to `visibilitychange`): Chrome opens the popup as a tab and shows the app's tab
 *  again when it closes. Headless pages never stop being visible, so the event is sent here. */
async function refocus(page: Page) {
  await page.bringToFront();
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange", { bubbles: true })));
}

test("a member connects GitHub through the consent popup, denies Slack, connects and disconnects Datadog with an API key; nothing leaves the machine", async ({ page, problems, baseURL }) => {
  const seen = watch(page.context(), baseURL!);
  await signInTo(page, "/account/connections", "bob@acme.test");
  const pipes = widget(page, "pipes");
  await expect(pipes).toHaveAttribute("aria-busy", "false");
  await expect(pipes.locator('[data-woswidgets-widget-state="resolved"]').first()).toBeVisible();
  // The providers the organization offers (Linear is off, HubSpot needs Acme's own OAuth client).
  for (const provider of ["GitHub", "Slack", "Datadog", "Snowflake"]) await expect(row(page, "pipes", provider)).toContainText("Not connected");
  await expect(pipes).not.toContainText("Linear");
  await expect(pipes).not.toContainText("HubSpot");
  // Provider icons are the widget's own, served by the app.
  const icon = await pipes.locator('[data-provider="github"]').evaluate((el) => getComputedStyle(el).backgroundImage);
  expect(icon).toContain(`${new URL(baseURL!).origin}/`);

  // OAuth, Allow: the popup records the account and closes; the list follows on focus.
  const github = await startOAuth(page, "GitHub");
  await expect(github.getByRole("list", { name: "Requested scopes" })).toContainText("repo");
  await expect(github.getByRole("list", { name: "Requested scopes" })).toContainText("read:user");
  await expect(github.getByText("Account wants to access your GitHub account (bob@acme.test).")).toBeVisible();
  const closed = github.waitForEvent("close");
  await github.getByRole("button", { name: "Allow" }).click();
  await closed;
  await refocus(page);
  await expect(row(page, "pipes", "GitHub")).toContainText("Connected");
  await expect(row(page, "pipes", "GitHub").getByRole("button", { name: "Disconnect" })).toBeVisible();

  // OAuth, Deny: the popup says so and nothing is connected.
  const slack = await startOAuth(page, "Slack");
  await slack.getByRole("button", { name: "Deny" }).click();
  await expect(slack.getByRole("heading", { name: "Access denied" })).toBeVisible();
  await expect(slack.getByRole("alert")).toHaveText("You denied access. Slack was not connected.");
  const slackClosed = slack.waitForEvent("close");
  await slack.getByRole("button", { name: "Close this window" }).click();
  await slackClosed;
  await refocus(page);
  await expect(row(page, "pipes", "Slack")).toContainText("Not connected");

  // An API key: connected, shown by its last four characters, then disconnected.
  await row(page, "pipes", "Datadog").getByRole("button", { name: "Connect" }).click();
  const keyDialog = page.getByRole("dialog", { name: "Connect Datadog with API key" });
  await keyDialog.getByRole("textbox", { name: "Enter your API key" }).fill("dd-demo-key-4242");
  await keyDialog.getByRole("button", { name: "Connect" }).click();
  await expect(keyDialog).toBeHidden();
  await expect(row(page, "pipes", "Datadog")).toContainText("Connected");
  await row(page, "pipes", "Datadog").getByRole("button", { name: "Pipe actions" }).click();
  await page.getByRole("menuitem", { name: "Rotate API key" }).click();
  const rotate = page.getByRole("dialog", { name: "Rotate API key for Datadog" });
  await expect(rotate).toContainText("Current API key••••4242");
  await rotate.getByRole("button", { name: "Cancel" }).click();
  await row(page, "pipes", "Datadog").getByRole("button", { name: "Pipe actions" }).click();
  await page.getByRole("menuitem", { name: "Disconnect account" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("Are you sure you want to disconnect your Datadog account?");
  await confirm.getByRole("button", { name: "Disconnect" }).click();
  await expect(row(page, "pipes", "Datadog")).toContainText("Not connected");

  // And the OAuth account too.
  await row(page, "pipes", "GitHub").getByRole("button", { name: "Disconnect" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disconnect" }).click();
  await expect(row(page, "pipes", "GitHub")).toContainText("Not connected");

  // After a reload the state is the emulator's: nothing connected.
  await page.reload();
  for (const provider of ["GitHub", "Slack", "Datadog"]) await expect(row(page, "pipes", provider)).toContainText("Not connected");
  expect(seen.elsewhere).toEqual([]);
  expect(seen.popupProblems).toEqual([]);
  expect(problems).toEqual([]);
});

test("an admin enables Linear with two of its scopes; members are then offered it and asked for those scopes", async ({ page, problems, baseURL }) => {
  const seen = watch(page.context(), baseURL!);
  await signInTo(page, "/organization/integrations", "alice@acme.test");
  const admin = widget(page, "pipes-admin");
  await expect(admin).toHaveAttribute("aria-busy", "false");
  const linear = row(page, "pipes-admin", "Linear");
  await expect(linear).toContainText("Disabled");
  await expect(row(page, "pipes-admin", "GitHub")).toContainText("Available");
  await linear.getByRole("button", { name: "Configure" }).click();
  const dialog = page.getByRole("dialog", { name: "Configure Linear for your organization" });
  await dialog.getByRole("switch", { name: "Enable" }).click();
  await expect(dialog.getByRole("checkbox", { name: "write" })).toBeChecked();
  await dialog.getByRole("checkbox", { name: "write" }).click();
  await expect(dialog).toContainText("You removed developer-configured scopes: write.");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(linear).toContainText("Available");

  // A member of Acme (Alice too) is now offered Linear, with those scopes.
  await page.getByRole("navigation").getByRole("link", { name: "Connections", exact: true }).click();
  await expect(row(page, "pipes", "Linear")).toContainText("Not connected");
  const popup = await startOAuth(page, "Linear");
  const scopes = popup.getByRole("list", { name: "Requested scopes" });
  await expect(scopes.getByRole("listitem")).toHaveText(["read", "issues:create"]);
  const closed = popup.waitForEvent("close");
  await popup.getByRole("button", { name: "Allow" }).click();
  await closed;
  await refocus(page);
  await expect(row(page, "pipes", "Linear")).toContainText("Connected");
  expect(seen.elsewhere).toEqual([]);
  expect(seen.popupProblems).toEqual([]);
  expect(problems).toEqual([]);
});

test("a member is told the integrations page is for admins, and the server refuses its token", async ({ page, problems }) => {
  await signInTo(page, "/organization/integrations", "bob@acme.test");
  const notice = "Only organization admins choose the organization's integrations.";
  await expect(page.getByTestId("not-permitted")).toContainText(notice);
  await expect(page.getByTestId("not-permitted")).toContainText("Your role in Acme Corp is member.");
  await expect(widget(page, "pipes-admin")).toHaveCount(0);
  const response = await page.request.post("/api/widget_token", { form: { kind: "pipes-admin" }, failOnStatusCode: false });
  expect(response.status()).toBe(403);
  expect(await response.json()).toEqual({ Forbidden: notice });
  // The member's own connections page is theirs.
  const own = await page.request.post("/api/widget_token", { form: { kind: "pipes" } });
  expect(own.status()).toBe(200);
  expect(problems).toEqual([]);
});
