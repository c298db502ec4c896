// The widgets bridge: a small mount API over the WorkOS React widgets, in the style of Clerk's
// `mountUserProfile`. The Leptos app imports this module lazily (only on widget pages) and calls:
//
//   const handle = await mount(element, "user-profile", props);
//   handle.update({ theme: { appearance: "dark" } });   // re-renders in place, no remount
//   handle.unmount();
//
// `props`: { authToken: () => Promise<string>, initialToken?: string, widgetsType: string,
//            apiHostname: string, port: number|null, https: boolean, theme?: object,
//            ...widget props (e.g. switchToOrganization, currentSessionId) }.
// Each widget's code is a separate chunk, fetched on first use.
//
// `initialToken` is a widget token the host already holds. With only a function `authToken`, the
// widgets send their first data request before the function resolves, without a token, and
// recover from the 403 by re-fetching (contract §4). Seeding the widgets' token query with
// `initialToken` makes the very first request carry it, and keeps it: the token query is never
// stale (`staleTime: Infinity`), so mounting and window focus do not call `authToken` (with the
// widgets' default `staleTime` 0 they would, minting a token per page view and per focus).
// `authToken` is still called, for a fresh token, 30 s before `exp`, after a 403 and after an
// organization switch: those re-run the query whether it is stale or not (contract §4.4, §4.5).

import { createElement, Suspense, useState } from "react";
import { createRoot } from "react-dom/client";
import { useQueryClient } from "@tanstack/react-query";
import { WorkOsWidgets } from "@workos-inc/widgets/workos-widgets";
import "./styles.css";

/**
 * Loads widget `id`'s React component: `./widgets/<id>.js`, one chunk each. The ids and
 * everything else about a widget live in the app's registry (src/widgets/registry.rs); a Rust
 * test checks that every registry entry has its file here.
 */
const loadWidget = (id) => import(`./widgets/${id}.js`);

const PROVIDER_PROPS = ["apiHostname", "port", "https", "theme"];
const BRIDGE_PROPS = ["initialToken", "widgetsType"];

/** The claims the widgets read from a token, decoded as they decode them (`atob`, contract §5). */
function claims(token) {
  return JSON.parse(atob(token.split(".")[1]));
}

/**
 * Puts `token` in the widgets' token query (key `["authToken", type]`) before the widget renders,
 * and keeps it there until `exp` or a 403 asks for another.
 */
function SeedToken({ type, token, children }) {
  const client = useQueryClient();
  useState(() => {
    if (token) {
      client.setQueryDefaults(["authToken", type], { staleTime: Infinity });
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

function render(root, Component, props) {
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
        { type: props.widgetsType, token: props.initialToken },
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
  const load = loadWidget(widget).catch(() => {
    throw new Error(`unknown widget '${widget}', or its code could not be loaded`);
  });
  const [{ default: Component }] = await Promise.all([load, loadStyles()]);
  roots.get(element)?.unmount();
  const root = createRoot(element);
  roots.set(element, root);
  let current = { ...props };
  render(root, Component, current);
  let mounted = true;
  return {
    /** Merges `next` into the props and re-renders in place. */
    update(next) {
      if (!mounted) return;
      current = { ...current, ...next };
      render(root, Component, current);
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
