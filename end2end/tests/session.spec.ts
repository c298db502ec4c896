import { test, expect, signIn, emulator } from "./fixtures";

test("sign-out clears the session and ends it at WorkOS", async ({ page, problems, baseURL }) => {
  await page.goto("/sign-in?return_to=/");
  await signIn(page, "bob@acme.test");
  await expect(page).toHaveURL(`${baseURL}/`);
  await expect(page.getByTestId("nav-user")).toContainText("Bob Baker");

  await page.getByRole("button", { name: "Sign out" }).click();
  // Through the WorkOS logout URL and back home, signed out.
  await expect(page).toHaveURL(`${baseURL}/`);
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  const cookies = await page.context().cookies(baseURL);
  expect(cookies.find((c) => c.name === "wos-session")).toBeUndefined();

  // Protected pages send the browser to sign-in again.
  await page.goto("/account/profile");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  expect(problems).toEqual([]);
});

test("a tampered session cookie signs the user out cleanly", async ({ page, problems, baseURL }) => {
  const url = new URL(baseURL!);
  await page.context().addCookies([{ name: "wos-session", value: "dGFtcGVyZWQ=", domain: url.hostname, path: "/", httpOnly: true, sameSite: "Lax" }]);
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("banner").getByRole("link", { name: "Sign in" })).toBeVisible();
  const cookies = await page.context().cookies(baseURL);
  expect(cookies.find((c) => c.name === "wos-session")).toBeUndefined();
  expect(problems).toEqual([]);
});

test("the other loopback host is redirected to the canonical origin", async ({ request, baseURL }) => {
  const other = baseURL!.replace("127.0.0.1", "localhost");
  const response = await request.get(`${other}/account/profile?x=1`, { maxRedirects: 0 });
  expect(response.status()).toBe(308);
  expect(response.headers()["location"]).toBe(`${baseURL}/account/profile?x=1`);
});

test("the widget token server function refuses a signed-out caller", async ({ request }) => {
  const response = await request.post("/api/widget_token", { form: { kind: "user-profile" }, failOnStatusCode: false });
  expect(response.status()).toBe(401);
  expect(await response.json()).toEqual("NotSignedIn");
});

test("cross-site posts are refused and change nothing; pages carry the security headers", async ({ page, problems, baseURL }) => {
  await page.goto("/sign-in?return_to=/");
  await signIn(page, "alice@acme.test");
  await expect(page.getByTestId("nav-organization")).toHaveText("Acme Corp");

  // A forged form post from another site, with Alice's cookie: refused.
  const evil = { Origin: "https://evil.test", "Sec-Fetch-Site": "cross-site" };
  const switched = await page.request.post("/api/switch_organization", { headers: evil, form: { organization_id: "org_01JDEM00000000000000GL0BEX" }, failOnStatusCode: false });
  expect(switched.status()).toBe(403);
  expect(await switched.json()).toEqual({ Forbidden: "Cross-site request refused." });
  const signedOut = await page.request.post("/sign-out", { headers: evil, maxRedirects: 0, failOnStatusCode: false });
  expect(signedOut.status()).toBe(403);
  const token = await page.request.post("/api/widget_token", { headers: { "Sec-Fetch-Site": "cross-site" }, form: { kind: "user-profile" }, failOnStatusCode: false });
  expect(token.status()).toBe(403);
  await page.reload();
  await expect(page.getByTestId("nav-organization")).toHaveText("Acme Corp");
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");

  const response = await page.request.get("/account/profile");
  const headers = response.headers();
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["content-security-policy"]).toContain("object-src 'none'");
  expect(headers["cache-control"]).toBe("no-store");
  expect(problems).toEqual([]);
});

test("pages run only the app's own scripts: the CSP nonce matches Leptos's inline script, an injected one is blocked", async ({ page, problems }) => {
  await page.goto("/account/profile");
  await signIn(page, "alice@acme.test");
  await expect(page).toHaveURL(/\/account\/profile$/);
  const response = await page.reload();
  const policy = response!.headers()["content-security-policy"];
  const nonce = /'nonce-([A-Za-z0-9_-]{16,})'/.exec(policy)?.[1];
  expect(nonce, policy).toBeTruthy();
  expect(policy).toContain("script-src 'self' 'nonce-");
  expect(policy).toContain("'wasm-unsafe-eval'");
  expect(policy).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+;/);
  expect(policy).not.toContain("'unsafe-eval'");
  // Each page gets a fresh nonce, and it is the one on Leptos's hydration script.
  expect((await page.request.get("/account/profile")).headers()["content-security-policy"]).not.toContain(nonce!);
  expect(await page.evaluate(() => [...document.querySelectorAll("script[nonce]")].map((s) => (s as HTMLScriptElement).nonce))).toContain(nonce);
  await expect(page.getByText("Alice", { exact: false }).first()).toBeVisible();

  // An injected inline script (what an XSS would add) does not run; the browser reports it.
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.injected = true";
    document.body.append(script);
  });
  expect(await page.evaluate(() => (window as { injected?: boolean }).injected)).toBeUndefined();
  expect(problems.length).toBe(1);
  expect(problems[0]).toContain("violates the following Content Security Policy directive");
  problems.length = 0;
});

test("one session mints at most a burst of widget tokens, then gets 429 with Retry-After; another session is unaffected", async ({ page, browser }) => {
  await page.goto("/sign-in?return_to=/");
  await signIn(page, "alice@acme.test");
  await expect(page.getByTestId("nav-user")).toContainText("Alice Adams");
  // `fresh`: a new token each time, as a widget asks after a 403 (a token the server holds is handed
  // out again without minting, and without counting).
  const mint = () => page.request.post("/api/widget_token", { form: { kind: "user-profile", fresh: "true" }, failOnStatusCode: false });
  const answers = [];
  for (let i = 0; i < 22; i++) answers.push(await mint());
  const statuses = answers.map((r) => r.status());
  // A burst of 20, then 60 a minute: the 21st and 22nd (within a second) are refused.
  expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
  expect(statuses.slice(20)).toEqual([429, 429]);
  const refused = answers[21];
  expect(Number(refused.headers()["retry-after"])).toBeGreaterThanOrEqual(1);
  expect(await refused.json()).toEqual({ TooManyRequests: Number(refused.headers()["retry-after"]) });

  const bob = await browser.newPage();
  await bob.goto("/account/profile");
  await signIn(bob, "bob@acme.test");
  await expect(bob.getByText("Bob", { exact: false }).first()).toBeVisible();
  expect((await bob.request.post("/api/widget_token", { form: { kind: "user-profile" } })).status()).toBe(200);
  await bob.close();
});

test("health and readiness probes, and a request id on every answer", async ({ request }) => {
  const health = await request.get("/healthz");
  expect(health.status()).toBe(200);
  expect(await health.text()).toBe("ok");
  expect(health.headers()["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  // A request id from a proxy is kept.
  expect((await request.get("/", { headers: { "x-request-id": "proxy-42" } })).headers()["x-request-id"]).toBe("proxy-42");

  const ready = await request.get("/readyz");
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toEqual({ status: "ready" });
  await emulator("/_emulator/faults", "POST", { path_prefix: "/sso/jwks/", kind: "error", status: 503 });
  const unready = await request.get("/readyz", { failOnStatusCode: false });
  expect(unready.status()).toBe(503);
  expect(await unready.json()).toEqual({ status: "unavailable", reason: "WorkOS is unreachable" });
});
