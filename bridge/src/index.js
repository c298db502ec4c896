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
// Each widget's code is a separate chunk, fetched on first use. Function props reach the widget
// through a stable wrapper that calls the latest function given (`update` may replace them
// without re-rendering the widget with a new function).
//
// `initialToken` is a widget token the host already holds. With only a function `authToken`, the
// widgets send their first data request before the function resolves, without a token, and
// recover from the 403 by re-fetching (contract §4). Seeding the widgets' token query with
// `initialToken` makes the very first request carry it, and keeps it: the token query is never
// stale (`staleTime: Infinity`), so mounting and window focus do not call `authToken` (with the
// widgets' default `staleTime` 0 they would, minting a token per page view and per focus).
// `authToken` is still called, for a fresh token, 30 s before `exp`, after a 403 and after an
// organization switch: those re-run the query whether it is stale or not (contract §4.4, §4.5).
//
// Boot. A server-rendered widget page also loads this module early (`<script type="module"
// async>` in its head) and carries the widget's boot data: `<script type="application/json"
// data-widget-boot>` inside the widget's `[data-widget]` section, holding `{widget, props,
// functions}` (the props above but the theme and the functions; `functions` names the function
// props the app will supply). As soon as that element is parsed (when this module runs, else once
// the document is), this module mounts the widget from it into the section's `.widget-host`, with
// the theme the page shows (as src/theme.rs decides it), and sets the section's `aria-busy` to
// "false" (the app's CSS then shows the widget in place of its skeleton) — without waiting for the
// app's WASM. A function prop called before the app has supplied it (a 403 or an expiring token
// before the WASM is up) waits for the app's function. When the app then calls `mount` for that
// element and widget, it gets the booted widget's handle, with its props applied (its functions,
// its theme): one React root, one owner.

import { createElement, Suspense, useState } from "react";
import { createRoot } from "react-dom/client";
import { useQueryClient } from "@tanstack/react-query";
import { WorkOsWidgets } from "@workos-inc/widgets/workos-widgets";
import { enableNavigation } from "./navigate.js";
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
/** The handle of the widget mounted in each host element (one React root each). */
const handles = new WeakMap();

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
 * widget kind or a chunk that fails to load. Mounting twice into one element replaces the first;
 * a widget this module booted into `element` from the page's boot data is handed over instead
 * (with `props` applied), once.
 */
export async function mount(element, widget, props) {
  claimed.add(element);
  const boot = boots.get(element);
  if (boot) {
    boots.delete(element);
    const handle = await boot.booted.catch(() => null);
    if (handle?.widget === widget && handle.mounted()) {
      handle.update(props);
      return handle;
    }
    handle?.unmount();
    // The boot failed (a chunk that did not load): start again with the boot data's props.
    if (boot.widget === widget) return start(element, widget, { ...boot.props, ...props }, []);
  }
  return start(element, widget, props, []);
}

/** Loads `widget` and renders it into a new root in `element`; `functions` names function props
 *  to wait for when called before they are given. */
async function start(element, widget, props, functions) {
  const load = loadWidget(widget).catch(() => {
    throw new Error(`unknown widget '${widget}', or its code could not be loaded`);
  });
  const [{ default: Component }] = await Promise.all([load, loadStyles()]);
  handles.get(element)?.unmount();
  const root = createRoot(element);
  let current = { ...props };
  // Stable wrappers of the function props; calls made before a function is given wait for it.
  const wrappers = {};
  const waiting = new Map();
  const wrap = (name) =>
    (wrappers[name] ??= (...args) =>
      typeof current[name] === "function"
        ? current[name](...args)
        : new Promise((resolve) => waiting.set(name, [...(waiting.get(name) ?? []), resolve])).then((fn) => fn(...args)));
  for (const name of functions) wrap(name);
  const show = () => {
    for (const [name, value] of Object.entries(current)) if (typeof value === "function") wrap(name);
    for (const [name, resolvers] of waiting) {
      if (typeof current[name] !== "function") continue;
      waiting.delete(name);
      for (const resolve of resolvers) resolve(current[name]);
    }
    render(root, Component, { ...current, ...wrappers });
  };
  show();
  let mounted = true;
  const handle = {
    widget,
    /** Whether the widget is still mounted. */
    mounted: () => mounted,
    /** Merges `next` into the props and re-renders in place. */
    update(next) {
      if (!mounted) return;
      current = { ...current, ...next };
      show();
    },
    /** Unmounts the widget; later calls do nothing. */
    unmount() {
      if (!mounted) return;
      mounted = false;
      if (handles.get(element) === handle) handles.delete(element);
      root.unmount();
    },
  };
  handles.set(element, handle);
  return handle;
}

/** Unmounts every widget mounted inside `root` (a page being replaced by the next one). */
function unmountIn(root) {
  for (const host of root.querySelectorAll(".widget-host")) handles.get(host)?.unmount();
}

/** Widgets booted from the page's boot data, by host element, until `mount` takes them over:
 *  `{widget, props, booted}` (`booted`: a promise of the handle). */
const boots = new WeakMap();
/** Host elements the app has mounted into (the boot leaves them alone). */
const claimed = new WeakSet();

/** The widgets' Radix `appearance` for the page as it is shown: `<html data-theme>` (the user's
 *  choice, written by the server), else the system's preference — as src/theme.rs decides it. */
function pageAppearance() {
  const choice = document.documentElement.dataset.theme;
  if (choice === "light" || choice === "dark") return choice;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

/** Mounts every widget the page carries complete boot data for (see "Boot" above). */
function boot() {
  for (const data of document.querySelectorAll("script[data-widget-boot]")) {
    const section = data.closest("[data-widget]");
    const host = section?.querySelector(".widget-host");
    const text = data.textContent.trim();
    if (!host || !text || claimed.has(host)) continue;
    let spec;
    try {
      // Still being parsed, the text is no JSON object yet: the boot after parsing takes it.
      spec = JSON.parse(text);
    } catch {
      continue;
    }
    claimed.add(host);
    const props = { ...spec.props, theme: { appearance: pageAppearance() } };
    const booted = start(host, spec.widget, props, spec.functions ?? []).then((handle) => {
      if (handle.mounted()) section.setAttribute("aria-busy", "false");
      return handle;
    });
    // A boot that fails leaves the skeleton; the app's `mount` tries again and reports errors.
    booted.catch(() => {});
    boots.set(host, { widget: spec.widget, props: spec.props, booted });
  }
}
// The boot data may already be parsed while the rest of the page still streams in: boot what is
// there now, and the rest once the document is parsed.
boot();
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot, { once: true });
// Nav links from one widget page to the next keep React and the widgets' code (navigate.js).
enableNavigation({ boot, unmount: unmountIn });
