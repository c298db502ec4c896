// Organization admins managing members through the real UsersManagement widget.
import { test, expect, signIn } from "./fixtures";

test.beforeEach(async ({ page }) => {
  await page.goto("/sign-in?return_to=/organization/users");
  await signIn(page, "alice@acme.test");
});

function membersOf(page: import("@playwright/test").Page) {
  return page.locator('[data-widget="users-management"]');
}

/** The member email shown in each row, in order. */
async function emails(rows: import("@playwright/test").Locator): Promise<string[]> {
  return (await rows.allInnerTexts()).map((text) => text.match(/\S+@\S+/)![0]);
}

test("an admin pages through the members, newest first, and back", async ({ page, problems }) => {
  const members = membersOf(page);
  const rows = members.getByRole("rowgroup").last().getByRole("row");
  // 27 Acme members: pages of 10, 10 and 7.
  await expect(rows).toHaveCount(10);
  const previous = members.getByRole("button", { name: "Previous" });
  const next = members.getByRole("button", { name: "Next" });
  await expect(previous).toBeDisabled();
  const firstPage = await emails(rows);

  await next.click();
  await expect(rows.first()).not.toContainText(firstPage[0]);
  await expect(rows).toHaveCount(10);
  const secondPage = await emails(rows);
  await next.click();
  await expect(rows).toHaveCount(7);
  await expect(next).toBeDisabled();
  // The oldest members (the seed's first users) are on the last page.
  await expect(members.getByRole("row", { name: /alice@acme\.test/ })).toBeVisible();
  await expect(members.getByRole("row", { name: /alice@acme\.test/ })).toContainText("You");
  const thirdPage = await emails(rows);
  expect(new Set([...firstPage, ...secondPage, ...thirdPage]).size).toBe(27);

  await previous.click();
  await expect(rows.first()).toContainText(secondPage[0]);
  await previous.click();
  await expect(rows.first()).toContainText(firstPage[0]);
  await expect(previous).toBeDisabled();
  expect(problems).toEqual([]);
});

test("an admin searches and filters by role", async ({ page, problems }) => {
  const members = membersOf(page);
  const rows = members.getByRole("rowgroup").last().getByRole("row");
  await members.getByPlaceholder("Search by name or e-mail").fill("BAKER");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("bob@acme.test");
  await members.getByPlaceholder("Search by name or e-mail").fill("");
  await expect(rows).toHaveCount(10);
  await members.getByRole("combobox").click();
  await expect(page.getByRole("option", { name: "All" })).toHaveAttribute("aria-selected", "true");
  await page.getByRole("option", { name: "Admin" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("alice@acme.test");
  expect(problems).toEqual([]);
});

test("an admin changes bob's role, and the change reaches bob's own session", async ({ page, problems, browser, baseURL }) => {
  const members = membersOf(page);
  await members.getByPlaceholder("Search by name or e-mail").fill("baker");
  const bob = members.getByRole("row", { name: /bob@acme\.test/ });
  await expect(bob).toContainText("Member");
  await bob.getByRole("button", { name: "User actions" }).click();
  await page.getByRole("menuitem", { name: "Edit role" }).click();
  const dialog = page.getByRole("dialog", { name: "Edit role" });
  await expect(dialog).toContainText("Select the role to assign to Bob Baker");
  await dialog.getByRole("combobox").click();
  await page.getByRole("option", { name: "Admin" }).click();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(bob).toContainText("Admin");
  // The new role survives a reload (it is the emulator's, not the widget's cache).
  await page.reload();
  await members.getByPlaceholder("Search by name or e-mail").fill("baker");
  await expect(members.getByRole("row", { name: /bob@acme\.test/ })).toContainText("Admin");

  // Bob signs in afresh: his session carries the admin role, so the members page is his now.
  const bobContext = await browser.newContext({ baseURL });
  const bobPage = await bobContext.newPage();
  await bobPage.goto("/sign-in?return_to=/organization/users");
  await signIn(bobPage, "bob@acme.test");
  await expect(membersOf(bobPage).getByRole("row", { name: /alice@acme\.test/ }).or(membersOf(bobPage).getByRole("button", { name: "Next" }))).toBeVisible();
  await expect(bobPage.getByTestId("not-permitted")).toHaveCount(0);
  await bobContext.close();
  expect(problems).toEqual([]);
});

test("an admin removes a member, and cannot remove themselves", async ({ page, problems }) => {
  const members = membersOf(page);
  const rows = members.getByRole("rowgroup").last().getByRole("row");
  await members.getByPlaceholder("Search by name or e-mail").fill("zoe");
  const zoe = members.getByRole("row", { name: /zoe\.zhang@acme\.test/ });
  await zoe.getByRole("button", { name: "User actions" }).click();
  await page.getByRole("menuitem", { name: "Remove user" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Remove user" });
  await expect(confirm).toContainText("Are you sure you want to remove zoe.zhang@acme.test?");
  await confirm.getByRole("button", { name: "Remove" }).click();
  await expect(confirm).toBeHidden();
  await expect(zoe).toHaveCount(0);
  // A fresh visit (a reload would restore the search box's text).
  await page.goto("/organization/users");
  await expect(rows).toHaveCount(10);
  const searched = page.waitForResponse((r) => r.url().includes("/members?") && r.url().includes("search=zhang"));
  await members.getByPlaceholder("Search by name or e-mail").fill("zhang");
  expect((await (await searched).json()).data).toEqual([]);
  await expect(rows.filter({ hasText: "zoe.zhang@acme.test" })).toHaveCount(0);

  // Alice's own row offers no actions (the emulator also refuses removing yourself: Rust tests).
  await members.getByPlaceholder("Search by name or e-mail").fill("alice");
  const alice = members.getByRole("row", { name: /alice@acme\.test/ });
  await expect(alice).toContainText("You");
  await expect(alice.getByRole("button", { name: "User actions" })).toHaveCount(0);
  expect(problems).toEqual([]);
});
