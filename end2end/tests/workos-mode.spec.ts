// WorkOS mode: with WORKOS_API_KEY, WORKOS_CLIENT_ID and WORKOS_COOKIE_PASSWORD set, the app starts
// no emulator and talks to the configured host. Here that host is the standalone emulator binary
// on another port, with its own API key and client id, standing in for WorkOS.
import { test, expect, signIn } from "./fixtures";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, repo, start, waitUntilUp, type Started } from "./processes";

const API_KEY = "sk_test_standalone";
const CLIENT_ID = "client_standalone";
let workos: Started;
let app: Started;
let appURL: string;
let workosURL: string;
let stateFile: string;

test.beforeAll(async () => {
  const workosPort = await freePort();
  const appPort = await freePort();
  appURL = `http://127.0.0.1:${appPort}`;
  workosURL = `http://127.0.0.1:${workosPort}`;
  workos = start(path.join(repo, "target/debug/workos-emulator"), [
    "--port", String(workosPort), "--api-key", API_KEY, "--client-id", CLIENT_ID, "--allowed-origin", appURL,
    "--state", (stateFile = path.join(os.tmpdir(), `workos-mode-${workosPort}.json`)),
  ]);
  await waitUntilUp(`${workosURL}/_emulator/health`, workos);
  app = start(path.join(repo, "target/debug/workos-widgets-host"), [], {
    LEPTOS_SITE_ADDR: `127.0.0.1:${appPort}`,
    LEPTOS_SITE_ROOT: path.join(repo, "target/site"),
    WORKOS_API_KEY: API_KEY,
    WORKOS_CLIENT_ID: CLIENT_ID,
    WORKOS_COOKIE_PASSWORD: "6c".repeat(32),
    WORKOS_API_HOSTNAME: "127.0.0.1",
    WORKOS_API_PORT: String(workosPort),
    WORKOS_API_HTTPS: "false",
    WORKOS_REDIRECT_URI: `${appURL}/callback`,
  });
  await waitUntilUp(`${appURL}/`, app);
});

test.afterAll(() => {
  app?.child.kill();
  workos?.child.kill();
  if (stateFile) fs.rmSync(stateFile, { force: true });
});

test("the app signs in and serves widgets through the configured WorkOS host, starting no emulator", async ({ page, problems }) => {
  expect(app.output()).not.toContain("embedded emulator");
  const widgetCalls: string[] = [];
  page.on("request", (r) => r.url().includes("/_widgets/") && widgetCalls.push(r.url()));
  await page.goto(`${appURL}/account/profile`);
  // AuthKit is the configured host's.
  expect(new URL(page.url()).origin).toBe(workosURL);
  expect(new URL(page.url()).searchParams.get("client_id")).toBe(CLIENT_ID);
  await signIn(page, "alice@acme.test");
  await expect(page).toHaveURL(`${appURL}/account/profile`);
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");

  // The widget talks to the configured host from the browser.
  const widget = page.locator('[data-widget="user-profile"]');
  await expect(widget.getByText("alice@acme.test")).toBeVisible();
  expect(widgetCalls).toContain(`${workosURL}/_widgets/UserProfile/me`);
  expect(widgetCalls.every((url) => url.startsWith(`${workosURL}/`))).toBe(true);
  await widget.getByLabel("Full name").getByRole("button", { name: "Edit" }).click();
  await page.getByRole("dialog").getByLabel("First name").fill("Alina");
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(widget.getByText("Alina Adams")).toBeVisible();

  // The change is on that host (read back with its API key).
  const users = await (await fetch(`${workosURL}/user_management/users?email=alice%40acme.test`, { headers: { authorization: `Bearer ${API_KEY}` } })).json();
  expect(users.data[0].first_name).toBe("Alina");
  // ...and not on the suite's embedded emulator.
  const embedded = await (await fetch(`${process.env.EMULATOR_URL}/user_management/users?email=alice%40acme.test`, { headers: { authorization: "Bearer sk_test_emulator" } })).json();
  expect(embedded.data[0].first_name).toBe("Alice");
  expect(problems).toEqual([]);
});

test("an admin's organization widgets run through the configured WorkOS host and its Admin Portal", async ({ page, problems }) => {
  const allowed = [appURL, workosURL];
  const elsewhere: string[] = [];
  page.on("request", (r) => !allowed.includes(new URL(r.url()).origin) && elsewhere.push(r.url()));
  await page.goto(`${appURL}/organization/domains`);
  await signIn(page, "alice@acme.test");
  await expect(page).toHaveURL(`${appURL}/organization/domains`);
  const domains = page.locator('[data-widget="admin-portal-domain-verification"]');
  await expect(domains.getByText("acme.test", { exact: true })).toBeVisible();

  // "Add domain" opens the configured host's Admin Portal (its links are on the API host, which the
  // page's CSP form-action allows).
  const [portal] = await Promise.all([page.context().waitForEvent("page"), domains.getByRole("button", { name: "Add domain" }).click()]);
  await portal.waitForLoadState();
  expect(new URL(portal.url()).origin).toBe(workosURL);
  await portal.getByLabel("Domain", { exact: true }).fill("acme-standalone.test");
  await portal.getByRole("button", { name: "Add domain" }).click();
  await expect(portal.getByRole("status")).toHaveText("Saved.");
  await portal.close();
  await page.reload();
  await expect(domains.getByText("acme-standalone.test", { exact: true })).toBeVisible();

  // An organization API key made in the widget validates on that host.
  await page.goto(`${appURL}/organization/api-keys`);
  const keys = page.locator('[data-widget="api-keys"]');
  await keys.getByRole("button", { name: "Create API key" }).click();
  await page.getByRole("dialog", { name: "Create API key" }).getByLabel("Name").fill("Standalone key");
  await page.getByRole("dialog", { name: "Create API key" }).getByRole("button", { name: "Create API key" }).click();
  const secret = await page.getByRole("dialog", { name: "Save your key" }).getByRole("textbox").inputValue();
  const validation = await (await fetch(`${workosURL}/api_keys/validations`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ value: secret }),
  })).json();
  expect(validation.api_key?.name).toBe("Standalone key");
  expect(elsewhere).toEqual([]);
  expect(problems).toEqual([]);
});

test("Pipes connects an account through the configured WorkOS host's consent popup", async ({ page, problems }) => {
  const allowed = [appURL, workosURL];
  const elsewhere: string[] = [];
  page.context().on("request", (r) => !["data:", "blob:"].includes(new URL(r.url()).protocol) && !allowed.includes(new URL(r.url()).origin) && elsewhere.push(r.url()));
  await page.goto(`${appURL}/account/connections`);
  await signIn(page, "alice@acme.test");
  await expect(page).toHaveURL(`${appURL}/account/connections`);
  const github = page.locator('[data-widget="pipes"] .woswidgets-card-list-item').filter({ hasText: "GitHub" });
  await expect(github).toContainText("Not connected");
  await github.getByRole("button", { name: "Connect" }).click();
  // The popup opens at the host's authkitOrigin (`/_widgets/settings`), and gets its consent screen.
  const [popup] = await Promise.all([page.waitForEvent("popup"), page.getByRole("dialog").getByRole("button", { name: "Connect" }).click()]);
  await expect(popup.getByRole("button", { name: "Allow" })).toBeVisible();
  expect(new URL(popup.url()).origin).toBe(workosURL);
  const closed = popup.waitForEvent("close");
  await popup.getByRole("button", { name: "Allow" }).click();
  await closed;
  // The app's page is visible again (headless pages always are: the event is sent here).
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange", { bubbles: true })));
  await expect(github).toContainText("Connected");

  // The account is on that host (read back with a widget token its API key mints).
  const minted = await (await fetch(`${workosURL}/widgets/token`, {
    method: "POST",
    headers: { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ organization_id: "org_01JDEM0000000000000000ACME", user_id: "user_01JDEM0000000000000000A1CE" }),
  })).json();
  const mine = await (await fetch(`${workosURL}/_widgets/DataIntegrations/mine`, { headers: { authorization: `Bearer ${minted.token}` } })).json();
  const connected = mine.data.find((i: { slug: string }) => i.slug === "github");
  expect(connected.installation).toMatchObject({ auth_method: "oauth", state: "connected", scopes: ["repo", "read:user"] });
  expect(elsewhere).toEqual([]);
  expect(problems).toEqual([]);
});
