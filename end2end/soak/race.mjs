// `make race`: the cross-instance refresh race, forced (proof 3 of RELIABILITY.md). Rewrites the
// generated part of RELIABILITY.md between the race markers.
//
// Two app instances sharing nothing but configuration, in WorkOS mode against the standalone
// emulator, behind a round-robin proxy on loopback. One signed-in session; access tokens live 2 s.
// Each round waits until the session's access token has expired, then sends RACE_PARALLEL (20)
// requests for a protected page at once with that cookie — the proxy spreads them over both
// instances, so both exchange the same refresh token at the same moment — and keeps the cookies
// the answers set, in the order they arrive, like a browser. RACE_ROUNDS (50) rounds, a new expiry
// each. Run twice: with the emulator's replay grace period at its default (WorkOS's 30 s) and at 0
// (strict single use, the emulator before issue 16). A round loses the session when any answer
// is not Alice's page (a redirect to sign-in, a cleared cookie) or when the cookie the browser
// ends up with is no longer signed in (one more request after the round asks, and its cookie is
// kept, as a browser would); the run then signs in again and goes on.
//
// Then revocation: one device signs out all other devices; the time until the other, loading a
// page every 250 ms, is sent to sign-in (bounded by the access-token lifetime less the 60 s refresh
// buffer).
//
// Needs: target/{release,debug}/{workos-widgets-host,workos-emulator} (RACE_BUILD, default release)
// and target/site.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { cookiesOf, replaceMarked, repo, signIn, sleep, startScaleOut } from "../lib/servers.mjs";

const ROUNDS = Number(process.env.RACE_ROUNDS ?? 50);
const PARALLEL = Number(process.env.RACE_PARALLEL ?? 20);
const BUILD = process.env.RACE_BUILD ?? "release";
const APP_BIN = path.join(repo, `target/${BUILD}/workos-widgets-host`);
const EMULATOR_BIN = path.join(repo, `target/${BUILD}/workos-emulator`);
const PAGE = "/account/profile";
const log = (...args) => console.log("[race]", ...args);
const json = (method, body) => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "workos-widgets-race-"));
// Two instances behind a round-robin proxy (`x-served-by` names the one that answered).
const { proxyURL, workosURL, workos, instances, stop } = await startScaleOut({
  appBin: APP_BIN,
  emulatorBin: EMULATOR_BIN,
  stateFile: path.join(stateDir, "state.json"),
  apiKey: "sk_test_race",
  clientId: "client_race",
  cookiePassword: "7e".repeat(32),
  rustLog: process.env.RACE_RUST_LOG ?? "warn",
});

const calls = async () => (await fetch(`${workosURL}/_emulator/calls`)).json();
/** Whether `cookie` is still Alice's session, and the cookie the browser keeps after asking. */
const check = async (cookie) => {
  const response = await fetch(`${proxyURL}/api/viewer`, { method: "POST", headers: { cookie }, redirect: "manual" });
  const body = response.status === 200 ? await response.json() : null;
  const session = cookiesOf(response).find((c) => c.startsWith("wos-session="));
  return { alice: body?.email === "alice@acme.test" && session !== "wos-session=", cookie: session ?? cookie };
};

/** One run of ROUNDS rounds with the emulator's grace period at `grace` seconds (`null`: default). */
async function run(grace) {
  await fetch(`${workosURL}/_emulator/reset`, { method: "POST" });
  const settings = await (await fetch(`${workosURL}/_emulator/settings`, json("PATCH", { access_token_ttl_secs: 2, ...(grace === null ? {} : { refresh_token_grace_secs: grace }) }))).json();
  let cookie = await signIn(proxyURL, workosURL, "alice@acme.test");
  const figures = { grace: settings.refresh_token_grace_secs, rounds: ROUNDS, requests: 0, ok: 0, signedOutAnswers: 0, otherAnswers: {}, lost: 0, servedBy: { a: 0, b: 0 } };
  for (let round = 0; round < ROUNDS; round++) {
    // The access token (2 s) has expired: every request of the round must refresh.
    await sleep(2100);
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, async () => {
        const response = await fetch(`${proxyURL}${PAGE}`, { headers: { cookie }, redirect: "manual" });
        const body = await response.text();
        return { status: response.status, by: response.headers.get("x-served-by"), session: cookiesOf(response).find((c) => c.startsWith("wos-session=")), alice: body.includes("Alice Adams"), at: performance.now() };
      }),
    );
    let jar = cookie;
    let lostThisRound = false;
    for (const answer of answers.sort((x, y) => x.at - y.at)) {
      figures.requests++;
      figures.servedBy[answer.by]++;
      if (answer.status === 200 && answer.alice && answer.session !== "wos-session=") figures.ok++;
      else if (answer.status === 303 || answer.session === "wos-session=") {
        figures.signedOutAnswers++;
        lostThisRound = true;
      } else {
        figures.otherAnswers[answer.status] = (figures.otherAnswers[answer.status] ?? 0) + 1;
      }
      if (answer.session) jar = answer.session;
    }
    const after = jar === "wos-session=" ? { alice: false } : await check(jar);
    if (!after.alice) lostThisRound = true;
    if (lostThisRound) {
      figures.lost++;
      cookie = await signIn(proxyURL, workosURL, "alice@acme.test");
    } else {
      cookie = after.cookie;
    }
  }
  const counted = await calls();
  figures.refreshGrants = counted.grants.refresh_token ?? 0;
  figures.replays = counted.refresh_token_replays ?? 0;
  log(JSON.stringify(figures));
  return figures;
}

const withGrace = await run(null);
const strict = await run(0);

/** Revocation still ends a session: device 1 signs out all other devices (the UserSessions widget's
 *  `revoke-all`, with its widget token); device 2 keeps loading a page every 250 ms through the
 *  proxy until it is sent to sign-in. Access tokens live `ttl` s; the app refreshes 60 s before
 *  expiry, so device 2 must be signed out within `ttl` − 60 s of its last refresh. */
const REVOCATION_TTL = Number(process.env.RACE_REVOCATION_TTL ?? 90);
async function revocation() {
  await fetch(`${workosURL}/_emulator/reset`, { method: "POST" });
  await fetch(`${workosURL}/_emulator/settings`, json("PATCH", { access_token_ttl_secs: REVOCATION_TTL }));
  const device2 = await signIn(proxyURL, workosURL, "alice@acme.test");
  const device1 = await signIn(proxyURL, workosURL, "alice@acme.test");
  const grant = await (await fetch(`${proxyURL}/api/widget_token`, { method: "POST", headers: { cookie: device1, "content-type": "application/x-www-form-urlencoded" }, body: "kind=user-sessions" })).json();
  const revoked = await fetch(`${workosURL}/_widgets/UserProfile/sessions/revoke-all`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${grant.token}`, "WorkOS-Widgets-Version": "1", "WorkOS-Widgets-Type": "user-sessions", "content-type": "application/json" },
    body: JSON.stringify({ currentSessionId: grant.current_session_id }),
  });
  if (!revoked.ok) throw new Error(`revoke-all answered ${revoked.status}`);
  const started = performance.now();
  let cookie = device2;
  let pages = 0;
  for (;;) {
    const response = await fetch(`${proxyURL}${PAGE}`, { headers: { cookie }, redirect: "manual" });
    await response.text();
    pages++;
    const session = cookiesOf(response).find((c) => c.startsWith("wos-session="));
    if (response.status === 303 && response.headers.get("location")?.startsWith("/sign-in")) break;
    if (session) cookie = session;
    if (performance.now() - started > (REVOCATION_TTL + 30) * 1000) throw new Error("device 2 was never signed out");
    await sleep(250);
  }
  const secs = (performance.now() - started) / 1000;
  const stillSignedIn = await check(device1);
  const figures = { ttl: REVOCATION_TTL, bound: REVOCATION_TTL - 60, secs, pages, device1: stillSignedIn.alice };
  log(JSON.stringify(figures));
  return figures;
}
const revoke = await revocation();

if (process.env.RACE_RUST_LOG) for (const instance of [...instances, { name: "workos", ...workos }]) fs.writeFileSync(path.join(os.tmpdir(), `race-${instance.name}.log`), instance.output());
stop();
fs.rmSync(stateDir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// RELIABILITY.md.
const fmt = (n) => n.toLocaleString("en-US");
const others = (f) => Object.entries(f.otherAnswers).map(([s, n]) => `${s}: ${n}`).join(", ") || "none";
const row = (label, f) => `| ${label} | ${f.rounds} × ${PARALLEL} | ${fmt(f.servedBy.a)} / ${fmt(f.servedBy.b)} | **${fmt(f.ok)} / ${fmt(f.requests)}** | ${fmt(f.signedOutAnswers)} | ${others(f)} | **${fmt(f.lost)} / ${f.rounds}** | ${fmt(f.refreshGrants)} | ${fmt(f.replays)} |`;
const cpu = os.cpus();
const lines = [
  `<!-- race:start (generated by \`make race\` on ${new Date().toISOString().slice(0, 10)}; do not edit by hand) -->`,
  "",
  `Machine: ${cpu.length} × ${cpu[0]?.model.trim()}, Linux ${os.release()}; ${BUILD} build; \`make race\` (\`end2end/soak/race.mjs\`).`,
  "",
  `Two app instances sharing nothing but configuration, in WorkOS mode against the standalone emulator, behind a proxy that alternates between them per request. One session (Alice); access tokens live 2 s. Each round waits until the access token has expired, then sends ${PARALLEL} requests for \`${PAGE}\` at once with that cookie (half to each instance, so both exchange the same refresh token at the same moment) and keeps the cookies the answers set, in the order they arrive, like a browser. A round loses the session when an answer is not Alice's page (a redirect to sign-in, a cleared cookie) or when the cookie kept is no longer signed in (asked once more after the round, keeping the cookie that answer sets); the run then signs in again.`,
  "",
  "| emulator's replay grace period | rounds × parallel requests | served by a / b | answered 200 with Alice's page | answers signed out | other answers | **sessions lost** | refresh exchanges | replays answered with the same pair |",
  "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  row(`${withGrace.grace} s (WorkOS's documented default)`, withGrace),
  row(`${strict.grace} s (strict single use)`, strict),
  "",
  `**Revocation still ends a session.** Device 1 signs out all other devices (the UserSessions widget's \`revoke-all\`) right after device 2 signed in; device 2 loads \`${PAGE}\` every 250 ms through the proxy. With access tokens of ${revoke.ttl} s (refreshed 60 s before expiry, so a revoked session is seen within ${revoke.bound} s of its last refresh), device 2 was sent to sign-in after **${revoke.secs.toFixed(1)} s** (${revoke.pages} page loads served meanwhile); device 1 ${revoke.device1 ? "stayed signed in" : "was signed out too (wrong)"}. With WorkOS's default 5-minute access tokens the bound is 4 minutes. The refresh token of a revoked session is refused even inside the replay grace period (emulator \`session_resilience.rs\`), so no instance can revive it.`,
  "",
  "<!-- race:end -->",
];
replaceMarked(path.join(repo, "RELIABILITY.md"), "race", lines);
console.log(lines.join("\n"));

const failures = [
  withGrace.lost && `${withGrace.lost} sessions lost with the grace period`,
  withGrace.ok < withGrace.requests && `${withGrace.requests - withGrace.ok} requests not answered 200 with the grace period`,
  (withGrace.servedBy.a === 0 || withGrace.servedBy.b === 0) && "one instance served nothing",
  strict.lost === 0 && "the race was not forced: no session lost even in strict mode",
  revoke.secs > revoke.bound + 2 && `revocation took ${revoke.secs.toFixed(1)} s, beyond ${revoke.bound} s`,
  !revoke.device1 && "revoke-all signed out the device that asked",
].filter(Boolean);
if (failures.length) {
  console.error(`race found problems: ${failures.join("; ")}`);
  process.exit(1);
}
process.exit(0);
