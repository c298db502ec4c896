// A single-page app as a newcomer writes one with `@workos-inc/authkit-js` (from npm, unchanged)
// against the WorkOS emulator, showing one widget (UserProfile) with the AuthKit access token as its
// token ("method A" of the widgets guide), mounted through the app's bridge (bridge/src/index.js).
// Bundled by the bridge's esbuild and served on its own origin by tests/authkit-js.spec.ts, which
// drives it through `window.authkit`.
import { createClient } from "@workos-inc/authkit-js";
import { mount } from "../../bridge/src/index.js";

/** `{clientId, hostname, port}`: where the emulator is (the test server writes it in). */
const config = JSON.parse(document.getElementById("config").textContent);

// authkit-js 0.20.3 defaults `devMode` to true on both `localhost` and `127.0.0.1`: the refresh
// token is kept in localStorage and sent in the body. A page on its real domain runs with devMode
// false and refreshes with the emulator's HttpOnly session cookie (`credentials: "include"`, no
// refresh token in the body); this page asks for that when served as 127.0.0.1.
const devMode = location.hostname !== "127.0.0.1";

const status = document.getElementById("status");
const signInButton = document.getElementById("sign-in");
const signOutButton = document.getElementById("sign-out");
const profile = document.getElementById("profile");

let widget;

/** Mounts UserProfile with the AuthKit access token (and asks authkit-js for each new one). */
async function mountProfile() {
  const accessToken = await client.getAccessToken();
  widget?.unmount();
  widget = await mount(profile, "user-profile", {
    authToken: () => client.getAccessToken(),
    initialToken: accessToken,
    widgetsType: "user-profile",
    apiHostname: config.hostname,
    port: config.port,
    https: false,
  });
}

function unmountProfile() {
  widget?.unmount();
  widget = undefined;
}

function render(user) {
  status.textContent = user ? `Signed in as ${user.email}` : "Signed out";
  signInButton.hidden = !!user;
  signOutButton.hidden = !user;
}

const client = await createClient(config.clientId, {
  apiHostname: config.hostname,
  port: config.port,
  https: false,
  devMode,
  onRefresh: ({ user }) => render(user),
  onRefreshFailure: () => render(null),
});
signInButton.addEventListener("click", () => client.signIn());
signOutButton.addEventListener("click", () => client.signOut({ returnTo: `${location.origin}/` }));
window.authkit = { client, devMode, mountProfile, unmountProfile };
render(client.getUser());
