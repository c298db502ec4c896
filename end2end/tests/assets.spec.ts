// Static assets: content-hashed URLs with immutable caching, precompressed at build, and a repeat
// visit that downloads none of them again (src/assets.rs, scripts/precompress.mjs).
import { test, expect, signIn } from "./fixtures";

const STATIC = /^\/(pkg|bridge)\//;
const HASHED = /^\/(pkg|bridge)\/[0-9a-f]{12}\//;

test("a widget page's static files are hashed, immutable and precompressed; a reload downloads none again", async ({ page, problems, baseURL }) => {
  await page.goto("/sign-in?return_to=%2Faccount%2Fprofile");
  await signIn(page, "alice@acme.test");
  await expect(page).toHaveURL(/\/account\/profile$/);
  await page.goto("about:blank");

  // From the network: every static file of the page.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  const seen = new Map<string, { fromCache: boolean; status: number; headers: Record<string, string> }>();
  // Chromium's memory cache reports itself with requestServedFromCache, before the response.
  const cached = new Set<string>();
  cdp.on("Network.requestServedFromCache", ({ requestId }) => cached.add(requestId));
  cdp.on("Network.responseReceived", ({ requestId, response }) => {
    const url = new URL(response.url);
    if (url.origin !== new URL(baseURL!).origin || !STATIC.test(url.pathname)) return;
    const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    seen.set(url.pathname, { fromCache: cached.has(requestId) || !!response.fromDiskCache, status: response.status, headers });
  });
  const html = await page.goto("/account/profile");
  expect(html!.headers()["cache-control"]).toBe("no-store");
  await expect(page.locator('[data-widget="user-profile"]')).toHaveAttribute("aria-busy", "false");
  await page.waitForLoadState("networkidle");

  const first = [...seen.entries()];
  const kinds = (list: typeof first) => new Set(list.map(([p]) => p.split(".").pop()));
  expect(kinds(first)).toEqual(new Set(["js", "wasm", "css"]));
  for (const [path, { status, headers }] of first) {
    expect(path, path).toMatch(HASHED);
    expect(status, path).toBe(200);
    expect(headers["cache-control"], path).toBe("public, max-age=31536000, immutable");
    // Sent as built (a precompressed copy has a length; on-the-fly compression streams).
    expect(["br", "gzip"], path).toContain(headers["content-encoding"]);
    expect(Number(headers["content-length"]), path).toBeGreaterThan(0);
  }

  // A repeat visit: every static file from the browser's cache.
  seen.clear();
  await page.reload();
  await expect(page.locator('[data-widget="user-profile"]')).toHaveAttribute("aria-busy", "false");
  await page.waitForLoadState("networkidle");
  const downloaded = [...seen.entries()].filter(([, r]) => !r.fromCache).map(([p]) => p);
  expect(downloaded).toEqual([]);
  expect(seen.size).toBeGreaterThan(0);

  // A file that is not there is a 404 nobody caches.
  const hashedEntry = first.find(([p]) => p.endsWith("/index.js"))![0];
  const missing = await page.request.get(hashedEntry.replace("index.js", "missing.js"), { failOnStatusCode: false });
  expect(missing.status()).toBe(404);
  expect(missing.headers()["cache-control"]).toBeUndefined();
  expect(problems).toEqual([]);
});
