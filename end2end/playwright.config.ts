import { defineConfig, devices } from "@playwright/test";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";

// Tests start the app themselves, on free loopback ports, unless BASE_URL points at a running one.
// Ports are chosen once in the main process and inherited by the workers through the environment.
function freePort(): string {
  const script = "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return execFileSync(process.execPath, ["-e", script]).toString().trim();
}
process.env.APP_PORT ??= freePort();
process.env.EMULATOR_PORT ??= freePort();

const repo = path.resolve(__dirname, "..");
const external = process.env.BASE_URL;
const baseURL = external ?? `http://127.0.0.1:${process.env.APP_PORT}`;
process.env.EMULATOR_URL ??= `http://127.0.0.1:${process.env.EMULATOR_PORT}`;

const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    // Offline machine: no background connections; no sandbox as root.
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  },
};

export default defineConfig({
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  outputDir: "test-results",
  use: { baseURL, trace: "retain-on-failure", screenshot: "only-on-failure" },
  projects: [
    // The test suite (`make test`).
    { name: "chromium", testDir: "./tests", use: chromium },
    // The README's screenshots (`make screenshots`).
    { name: "docs", testDir: "./docs", use: chromium },
  ],
  webServer: external
    ? undefined
    : {
        command: process.env.APP_BIN ?? path.join(repo, "target/debug/workos-widgets-host"),
        cwd: repo,
        url: `${baseURL}/`,
        reuseExistingServer: false,
        timeout: 60_000,
        stdout: "pipe",
        stderr: "pipe",
        env: {
          LEPTOS_SITE_ADDR: `127.0.0.1:${process.env.APP_PORT}`,
          LEPTOS_SITE_ROOT: path.join(repo, "target/site"),
          WORKOS_EMULATOR_ADDR: `127.0.0.1:${process.env.EMULATOR_PORT}`,
          // Each run has its own emulator state, apart from a developer's `make run`.
          WORKOS_EMULATOR_STATE_DIR: path.join(os.tmpdir(), `workos-widgets-e2e-${process.env.APP_PORT}`),
          RUST_LOG: process.env.RUST_LOG ?? "info",
        },
      },
});
