import { test, expect, signIn, mailedCode } from "./fixtures";

test("alice signs in through AuthKit and renames herself in the real UserProfile widget", async ({ page, problems, baseURL }) => {
  // Signed out: the protected page sends the browser to AuthKit (the emulator's sign-in page)...
  await page.goto("/account/profile");
  expect(new URL(page.url()).port).toBe(new URL(process.env.EMULATOR_URL!).port);
  await signIn(page, "alice@acme.test");

  // ...and back to the page she wanted.
  await expect(page).toHaveURL(`${baseURL}/account/profile`);
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  await expect(page.getByTestId("nav-organization")).toHaveText("Acme Corp");

  // The real widget, mounted by the WASM through the bridge, shows her profile from the emulator.
  const widget = page.locator('[data-widget="user-profile"]');
  await expect(widget.getByText("Alice Adams")).toBeVisible();
  await expect(widget.getByText("alice@acme.test")).toBeVisible();
  await expect(widget).toHaveAttribute("aria-busy", "false");

  // Edit the first name in the widget's dialog.
  await widget.getByLabel("Full name").getByRole("button", { name: "Edit" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByText("Edit name")).toBeVisible();
  await dialog.getByLabel("First name").fill("Alicia");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(widget.getByText("Alicia Adams")).toBeVisible();

  // The change is stored: a reload shows it.
  await page.reload();
  await expect(page.locator('[data-widget="user-profile"]').getByText("Alicia Adams")).toBeVisible();

  expect(problems).toEqual([]);
});

test("a user changes their email with elevated access and a code sent to the new address", async ({ page, problems, baseURL }) => {
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "bob@acme.test");
  const widget = page.locator('[data-widget="user-profile"]');
  await widget.getByLabel("Email address").getByRole("button", { name: "Edit" }).click();

  // Elevated access first: a code mailed to the current address; the sixth digit submits it.
  const verify = page.getByRole("dialog", { name: "Verify your identity" });
  await verify.getByRole("button", { name: "Send verification code" }).click();
  await expect(verify.getByText(/A verification code was sent/)).toBeVisible();
  await page.keyboard.type(await mailedCode("bob@acme.test"));

  const change = page.getByRole("dialog", { name: "Change email address" });
  await change.getByLabel("New email address").fill("robert@acme.test");
  await change.getByRole("button", { name: "Send verification code" }).click();
  const confirm = page.getByRole("dialog", { name: "Enter verification code" });
  await expect(confirm).toContainText("A verification code was sent to robert@acme.test.");
  await page.keyboard.type(await mailedCode("robert@acme.test"));
  await expect(confirm).toBeHidden();
  await expect(widget.getByText("robert@acme.test")).toBeVisible();

  // The new address signs in; the old one is gone.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${baseURL}/`);
  await page.goto("/sign-in?return_to=/account/profile");
  await signIn(page, "robert@acme.test");
  await expect(page.getByTestId("nav-user")).toContainText("Bob Baker");
  await expect(page.locator('[data-widget="user-profile"]').getByText("robert@acme.test")).toBeVisible();
  expect(problems).toEqual([]);
});

test("a page without widgets loads no React", async ({ page, problems }) => {
  const scripts: string[] = [];
  page.on("request", (r) => r.resourceType() === "script" && scripts.push(new URL(r.url()).pathname));
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(scripts.some((s) => s.startsWith("/pkg/"))).toBe(true);
  expect(scripts.filter((s) => s.startsWith("/bridge/"))).toEqual([]);
  expect(problems).toEqual([]);
});
