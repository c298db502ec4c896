// Flows driven through the real widgets' UI against the emulator.
import { test, expect, signIn, mailedCode, totp } from "./fixtures";

test("an admin invites a member through the UsersManagement widget", async ({ page, problems }) => {
  await page.goto("/sign-in?return_to=/organization/users");
  await signIn(page, "alice@acme.test");
  const members = page.locator('[data-widget="users-management"]');
  await members.getByRole("button", { name: "Invite user" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Email address").fill("new.hire@acme.test");
  await dialog.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(dialog).toBeHidden();
  await members.getByPlaceholder("Search by name or e-mail").fill("new.hire");
  await expect(members.getByRole("row", { name: /new\.hire@acme\.test.*Status: Invited/ })).toBeVisible();

  // The same address again: the form shows the emulator's message on the field.
  await members.getByRole("button", { name: "Invite user" }).click();
  await dialog.getByLabel("Email address").fill("new.hire@acme.test");
  await dialog.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(dialog.getByText(/already invited/i)).toBeVisible();
  // The refused invite answered 400 on purpose; nothing else may have failed.
  expect(problems.filter((p) => !p.includes("invite-user") && !p.includes("status of 400"))).toEqual([]);
});

test("a user changes their password in UserSecurity and signs in with the new one", async ({ page, problems, baseURL }) => {
  await page.goto("/sign-in?return_to=/account/security");
  await signIn(page, "bob@acme.test");
  const security = page.locator('[data-widget="user-security"]');
  await security.getByRole("button", { name: /change/i }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Enter your current password").fill("demo-password");
  await dialog.getByLabel("Enter your new password").fill("a-new-password-42");
  await dialog.getByLabel("Confirm your new password").fill("a-new-password-42");
  await dialog.getByRole("button", { name: "Change password" }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${baseURL}/`);
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "bob@acme.test", "demo-password");
  await expect(page.getByText("Incorrect email or password.")).toBeVisible();
  await signIn(page, "bob@acme.test", "a-new-password-42");
  await expect(page).toHaveURL(`${baseURL}/account/profile`);
  await expect(page.getByTestId("nav-user")).toContainText("Bob Baker");
  // The wrong old password answered 401 on the sign-in page on purpose.
  expect(problems.filter((p) => !p.includes("/user_management/authorize") && !p.includes("status of 401"))).toEqual([]);
});

test("a user enrolls TOTP through elevated access and must then give a code at sign-in", async ({ page, problems, baseURL }) => {
  await page.goto("/sign-in?return_to=/account/security");
  await signIn(page, "carol@globex.test");
  const security = page.locator('[data-widget="user-security"]');
  await security.getByRole("button", { name: "Set up authenticator app" }).click();

  // Elevated access: a code mailed to Carol (read from the emulator's mailbox).
  const verify = page.getByRole("dialog");
  await verify.getByRole("button", { name: "Send verification code" }).click();
  await expect(verify.getByText(/A verification code was sent/)).toBeVisible();
  const factor = page.waitForResponse((r) => r.url().endsWith("/_widgets/UserProfile/create-totp-factor"));
  await page.keyboard.type(await mailedCode("carol@globex.test"));
  await verify.getByRole("button", { name: "Confirm" }).click();

  // The add-MFA dialog: scan (here: read the secret), then confirm with the app's current code.
  const { authenticationFactor } = await (await factor).json();
  const secret: string = authenticationFactor.totp.secret;
  const setup = page.getByRole("dialog");
  await expect(setup.getByRole("heading", { name: "Set up an authenticator app" })).toBeVisible();
  await expect(setup.getByRole("img", { name: "Scan this QR code to enroll" })).toBeVisible();
  // Six one-digit boxes, the first focused; the dialog submits the sixth digit by itself.
  await page.keyboard.type(totp(secret));
  await expect(setup).toBeHidden();
  await expect(security.getByRole("button", { name: "Disable" })).toBeVisible();

  // Sign out; sign-in now asks for the authenticator code after the password.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "carol@globex.test");
  await expect(page.getByRole("heading", { name: "Two-factor authentication" })).toBeVisible();
  await page.getByLabel("Code").fill(totp(secret));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(`${baseURL}/account/profile`);
  await expect(page.getByTestId("nav-user")).toContainText("Carol Chen");
  expect(problems).toEqual([]);
});
