import { test, expect, signIn, totp } from "./fixtures";

test("every widget page renders its real widget for an admin", async ({ page, problems }) => {
  await page.goto("/sign-in?return_to=/account/security");
  await signIn(page, "alice@acme.test");

  await expect(page.locator('[data-widget="user-security"]')).toHaveAttribute("aria-busy", "false");
  await expect(page.locator('[data-widget="user-security"]').getByText("Password", { exact: true }).first()).toBeVisible();

  await page.getByRole("link", { name: "Sessions" }).click();
  await expect(page.locator('[data-widget="user-sessions"]')).toHaveAttribute("aria-busy", "false");
  await expect(page.locator('[data-widget="user-sessions"]').getByText(/this device|current/i).first()).toBeVisible();

  await page.getByRole("link", { name: "Members" }).click();
  const members = page.locator('[data-widget="users-management"]');
  await expect(members.getByText("bella.brooks@acme.test")).toBeVisible();
  await members.getByPlaceholder("Search by name or e-mail").fill("baker");
  await expect(members.getByText("bob@acme.test")).toBeVisible();
  await expect(members.getByText("bella.brooks@acme.test")).toBeHidden();

  await page.getByRole("link", { name: "Organizations" }).click();
  await expect(page.locator('[data-widget="organization-switcher"]').getByText("Acme Corp")).toBeVisible();
  expect(problems).toEqual([]);
});

test("a member is told the users page is for admins, and the server refuses the token", async ({ page, problems }) => {
  await page.goto("/sign-in?return_to=/organization/users");
  await signIn(page, "bob@acme.test");
  await expect(page.getByTestId("not-permitted")).toContainText("Only organization admins manage members.");
  await expect(page.locator('[data-widget="users-management"]')).toHaveCount(0);
  const response = await page.request.post("/api/widget_token", { form: { kind: "users-management" }, failOnStatusCode: false });
  expect(response.status()).toBe(403);
  expect(await response.json()).toEqual({ Forbidden: "Only organization admins manage members." });
  expect(problems).toEqual([]);
});

test("switching Acme → Globex changes the organization in the nav and the widget", async ({ page, problems }) => {
  await page.goto("/sign-in?return_to=/organization/switch");
  await signIn(page, "alice@acme.test");
  await expect(page.getByTestId("nav-organization")).toHaveText("Acme Corp");
  const switcher = page.locator('[data-widget="organization-switcher"]');
  await switcher.getByRole("button").filter({ hasText: "Acme Corp" }).click();
  await page.getByRole("menuitem", { name: "Globex" }).click();
  await expect(page.getByTestId("nav-organization")).toHaveText("Globex");
  await expect(switcher.getByRole("button").filter({ hasText: "Globex" })).toBeVisible();
  // The new organization is in the session: it survives a reload.
  await page.reload();
  await expect(page.getByTestId("nav-organization")).toHaveText("Globex");
  expect(problems).toEqual([]);
});

test("switching into an organization that requires MFA goes through AuthKit to enroll, then lands there", async ({ page, problems, baseURL }) => {
  await page.goto("/sign-in?return_to=/organization/switch");
  await signIn(page, "alice@acme.test");
  const switcher = page.locator('[data-widget="organization-switcher"]');
  await switcher.getByRole("button").filter({ hasText: "Acme Corp" }).click();
  await page.getByRole("menuitem", { name: "Initech" }).click();

  // WorkOS answered mfa_enrollment: AuthKit, for Initech, asks for the password and a new factor.
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(new URL(page.url()).searchParams.get("organization_id")).toBe("org_01JDEM00000000000000N1TECH");
  await signIn(page, "alice@acme.test");
  await expect(page.getByRole("heading", { name: "Set up two-factor authentication" })).toBeVisible();
  await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").textContent())!;
  await page.getByLabel("Code").fill(totp(secret));
  await page.getByRole("button", { name: "Continue" }).click();

  await expect(page).toHaveURL(`${baseURL}/organization/switch`);
  await expect(page.getByTestId("nav-organization")).toHaveText("Initech");
  await expect(switcher.getByRole("button").filter({ hasText: "Initech" })).toBeVisible();
  expect(problems).toEqual([]);
});
