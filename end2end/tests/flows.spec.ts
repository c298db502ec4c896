// Flows driven through the real widgets' UI against the emulator.
import { test, expect, signIn } from "./fixtures";

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
