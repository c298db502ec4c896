// The emulator's public endpoints answer with shapes that validate against the WorkOS OpenAPI
// spec (npm `@workos/openapi-spec` 0.1.0): every public response the app uses, success and error.
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { test, expect } from "@playwright/test";

const spec = YAML.parse(fs.readFileSync(path.join(__dirname, "../node_modules/@workos/openapi-spec/open-api-spec.yaml"), "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

const API_KEY = "sk_test_emulator";
const CLIENT_ID = "client_emulator";
const ALICE = "user_01JDEM0000000000000000A1CE";
const ACME = "org_01JDEM0000000000000000ACME";
const emulator = () => process.env.EMULATOR_URL!;

/** Asserts `body` matches the spec's JSON schema for `method path` → `status`. */
function expectConforms(method: string, specPath: string, status: number, body: unknown) {
  const operation = spec.paths[specPath]?.[method];
  expect(operation, `${method.toUpperCase()} ${specPath} is in the spec`).toBeTruthy();
  const response = operation.responses[String(status)];
  expect(response, `${method.toUpperCase()} ${specPath} lists status ${status}`).toBeTruthy();
  const schema = response.content?.["application/json"]?.schema;
  expect(schema, `${method.toUpperCase()} ${specPath} ${status} has a JSON schema`).toBeTruthy();
  const validate = ajv.compile({ ...schema, components: spec.components });
  const ok = validate(body);
  expect(ok, `${method.toUpperCase()} ${specPath} ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`).toBe(true);
}

async function call(method: string, url: string, body?: unknown, auth = true) {
  const response = await fetch(`${emulator()}${url}`, {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${API_KEY}` } : {}), ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

async function signInCode(email: string): Promise<string> {
  const form = new URLSearchParams({ client_id: CLIENT_ID, redirect_uri: "http://127.0.0.1/callback", email, password: "demo-password" });
  const response = await fetch(`${emulator()}/user_management/authorize`, { method: "POST", body: form, redirect: "manual" });
  expect(response.status).toBe(303);
  return new URL(response.headers.get("location")!).searchParams.get("code")!;
}

// From the seed and default settings, whatever ran before (another spec may leave, say, a mint
// limit of one a minute).
test.beforeEach(async () => {
  const reset = await fetch(`${emulator()}/_emulator/reset`, { method: "POST" });
  expect(reset.ok).toBe(true);
});

test("users, organizations and memberships conform", async () => {
  let r = await call("GET", `/user_management/users/${ALICE}`);
  expectConforms("get", "/user_management/users/{id}", r.status, r.body);
  r = await call("GET", "/user_management/users/user_missing");
  expectConforms("get", "/user_management/users/{id}", r.status, r.body);
  r = await call("GET", `/user_management/users?organization_id=${ACME}&limit=5`);
  expectConforms("get", "/user_management/users", r.status, r.body);
  r = await call("GET", "/user_management/users?limit=500");
  expectConforms("get", "/user_management/users", r.status, r.body);
  r = await call("GET", `/organizations/${ACME}`);
  expectConforms("get", "/organizations/{id}", r.status, r.body);
  r = await call("GET", "/organizations/org_missing");
  expectConforms("get", "/organizations/{id}", r.status, r.body);
  r = await call("GET", `/user_management/organization_memberships?user_id=${ALICE}`);
  expectConforms("get", "/user_management/organization_memberships", r.status, r.body);
  r = await call("GET", "/user_management/organization_memberships");
  expectConforms("get", "/user_management/organization_memberships", r.status, r.body);
});

test("JWKS and widget tokens conform", async () => {
  let r = await call("GET", `/sso/jwks/${CLIENT_ID}`, undefined, false);
  expectConforms("get", "/sso/jwks/{clientId}", r.status, r.body);
  r = await call("GET", "/sso/jwks/client_other", undefined, false);
  expectConforms("get", "/sso/jwks/{clientId}", r.status, r.body);
  r = await call("POST", "/widgets/token", { organization_id: ACME, user_id: ALICE, scopes: ["widgets:users-table:manage"] });
  expectConforms("post", "/widgets/token", r.status, r.body);
  r = await call("POST", "/widgets/token", { organization_id: ACME, user_id: "user_missing" });
  expectConforms("post", "/widgets/token", r.status, r.body);
  r = await call("POST", "/widgets/token", { organization_id: ACME, user_id: ALICE, scopes: "not-a-list" });
  expectConforms("post", "/widgets/token", r.status, r.body);
});

test("a user's sessions list conforms", async () => {
  const code = await signInCode("alice@acme.test");
  const auth = await call("POST", "/user_management/authenticate", { grant_type: "authorization_code", client_id: CLIENT_ID, client_secret: API_KEY, code });
  expect(auth.status).toBe(200);
  let r = await call("GET", `/user_management/users/${ALICE}/sessions?limit=5`);
  expect(r.status).toBe(200);
  expect(r.body.data.length).toBeGreaterThan(0);
  expectConforms("get", "/user_management/users/{id}/sessions", r.status, r.body);
  r = await call("GET", `/user_management/users/${ALICE}/sessions?limit=1&order=asc`);
  expectConforms("get", "/user_management/users/{id}/sessions", r.status, r.body);
  r = await call("GET", "/user_management/users/user_missing/sessions");
  expect(r.status).toBe(404);
  expectConforms("get", "/user_management/users/{id}/sessions", r.status, r.body);
});

test("authenticate conforms for codes, refresh tokens and refusals", async () => {
  const code = await signInCode("alice@acme.test");
  let r = await call("POST", "/user_management/authenticate", { grant_type: "authorization_code", client_id: CLIENT_ID, client_secret: API_KEY, code });
  expectConforms("post", "/user_management/authenticate", r.status, r.body);
  const refresh = r.body.refresh_token;
  r = await call("POST", "/user_management/authenticate", { grant_type: "refresh_token", client_id: CLIENT_ID, client_secret: API_KEY, refresh_token: refresh, organization_id: null });
  expectConforms("post", "/user_management/authenticate", r.status, r.body);
  const rotated = r.body;
  // Inside WorkOS's replay grace period the retired token gets the same pair again.
  r = await call("POST", "/user_management/authenticate", { grant_type: "refresh_token", client_id: CLIENT_ID, client_secret: API_KEY, refresh_token: refresh });
  expect(r.status).toBe(200);
  expect([r.body.access_token, r.body.refresh_token]).toEqual([rotated.access_token, rotated.refresh_token]);
  expectConforms("post", "/user_management/authenticate", r.status, r.body);
  // Strict (no grace period): the retired token is refused.
  const grace = (await (await fetch(`${emulator()}/_emulator/settings`)).json()).refresh_token_grace_secs;
  await fetch(`${emulator()}/_emulator/settings`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token_grace_secs: 0 }) });
  r = await call("POST", "/user_management/authenticate", { grant_type: "refresh_token", client_id: CLIENT_ID, client_secret: API_KEY, refresh_token: refresh });
  await fetch(`${emulator()}/_emulator/settings`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token_grace_secs: grace }) });
  expect(r.status).toBe(400);
  expectConforms("post", "/user_management/authenticate", r.status, r.body);
  r = await call("POST", "/user_management/authenticate", { grant_type: "password", client_id: CLIENT_ID, client_secret: API_KEY, email: "alice@acme.test", password: "wrong" });
  expectConforms("post", "/user_management/authenticate", r.status, r.body);
});
