// The widgets bridge: a small mount API over the WorkOS React widgets, in the style of Clerk's
// `mountUserProfile`. The Leptos app imports this module lazily (only on widget pages) and calls:
//
//   const handle = await mount(element, "user-profile", props);
//   handle.update({ theme: { appearance: "dark" } });   // re-renders in place, no remount
//   handle.unmount();
//
// `props`: { authToken: () => Promise<string>, initialToken?: string, apiHostname: string,
//            port: number|null, https: boolean, theme?: object, ...widget props (e.g.
//            switchToOrganization, currentSessionId) }.
// Each widget's code is a separate chunk, fetched on first use.
//
// `initialToken` is a widget token the host already holds. With only a function `authToken`, the
// widgets send their first data request before the function resolves, without a token, and
// recover from the 403 by re-fetching (contract §4). Seeding the widgets' token query with
// `initialToken` makes the very first request carry it; `authToken` still re-mints before `exp`
// and after a 403.

import { createElement, Suspense, useState } from "react";
import { createRoot } from "react-dom/client";
import { useQueryClient } from "@tanstack/react-query";
import { WorkOsWidgets } from "@workos-inc/widgets/workos-widgets";
import "./styles.css";

/** Widget kind → its `WorkOS-Widgets-Type` and the loader of its React component (one chunk each). */
const WIDGETS = {
  "user-profile": { type: "user-profile", load: () => import("./widgets/user-profile.js") },
  "user-security": { type: "user-security", load: () => import("./widgets/user-security.js") },
  "user-sessions": { type: "user-sessions", load: () => import("./widgets/user-sessions.js") },
  "users-management": { type: "user-management", load: () => import("./widgets/users-management.js") },
  "organization-switcher": { type: "organization-switcher", load: () => import("./widgets/organization-switcher.js") },
};

const PROVIDER_PROPS = ["apiHostname", "port", "https", "theme"];
const BRIDGE_PROPS = ["initialToken"];

/** The claims the widgets read from a token, decoded as they decode them (`atob`, contract §5). */
function claims(token) {
  return JSON.parse(atob(token.split(".")[1]));
}

/** Puts `token` in the widgets' token query (key `["authToken", type]`) before the widget renders. */
function SeedToken({ type, token, children }) {
  const client = useQueryClient();
  useState(() => {
    if (token) {
      const { permissions, exp } = claims(token);
      client.setQueryData(["authToken", type], { authToken: token, permissions, exp });
    }
  });
  return children;
}
const roots = new WeakMap();

let stylesheet;
/** Loads the widgets' CSS (Radix Themes + widget styles) once, next to this module. */
function loadStyles() {
  stylesheet ??= new Promise((resolve) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL("./index.css", import.meta.url).href;
    link.onload = link.onerror = () => resolve();
    document.head.appendChild(link);
  });
  return stylesheet;
}

function render(root, widget, Component, props) {
  const provider = {};
  const widgetProps = {};
  for (const [key, value] of Object.entries(props)) {
    if (BRIDGE_PROPS.includes(key)) continue;
    (PROVIDER_PROPS.includes(key) ? provider : widgetProps)[key] = value;
  }
  root.render(
    createElement(
      WorkOsWidgets,
      provider,
      createElement(
        SeedToken,
        { type: widget.type, token: props.initialToken },
        createElement(Suspense, { fallback: null }, createElement(Component, widgetProps)),
      ),
    ),
  );
}

/**
 * Mounts `widget` into `element`. Resolves once the widget is rendering; rejects on an unknown
 * widget kind or a chunk that fails to load. Mounting twice into one element replaces the first.
 */
export async function mount(element, widget, props) {
  const entry = WIDGETS[widget];
  if (!entry) throw new Error(`unknown widget '${widget}' (one of ${Object.keys(WIDGETS).join(", ")})`);
  const [{ default: Component }] = await Promise.all([entry.load(), loadStyles()]);
  roots.get(element)?.unmount();
  const root = createRoot(element);
  roots.set(element, root);
  let current = { ...props };
  render(root, entry, Component, current);
  let mounted = true;
  return {
    /** Merges `next` into the props and re-renders in place. */
    update(next) {
      if (!mounted) return;
      current = { ...current, ...next };
      render(root, entry, Component, current);
    },
    /** Unmounts the widget; later calls do nothing. */
    unmount() {
      if (!mounted) return;
      mounted = false;
      if (roots.get(element) === root) roots.delete(element);
      root.unmount();
    },
  };
}
