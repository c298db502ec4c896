// Nav links without a page load, on widget pages (this module comes with the bridge, which only
// widget pages load). The app's pages are server-rendered HTML with Leptos islands and no
// client-side router, so a plain nav link would reload the page and evaluate React and the
// widgets' stylesheet again (BENCHMARKS.md, "Why in-app navigation…"). Instead, a click on a
// link of the side nav fetches the next page's HTML from the server (rendered with its widget's
// boot data: the token the server holds), puts its `<main>` and nav in place of the current ones,
// unmounts the old widget, boots the new one from its boot data, hydrates the new page's islands
// and updates the title and the history. React and the loaded widget code stay.
//
// Anything unexpected falls back to an ordinary page load of the same URL: a failed or
// redirected fetch, a page without `<main>`, another person or none in the top bar (the session
// changed), a session notice, content the server still streams in (`<template>`). Back and
// forward swap the same way. Focus moves to the new page's heading, and the window to the top.

/** Loads `url` the ordinary way. */
const load = (url) => location.assign(url);

/** The text that says who is signed in (the top bar), to notice a session that changed. */
const who = (doc) => doc.querySelector('[data-testid="nav-user"]')?.textContent ?? null;

let latest = 0;

/**
 * Shows the page at `url` in place of the current one. `push`: a new history entry (a click),
 * not a move through the history (back, forward). `hooks.unmount(root)` unmounts the widgets
 * inside `root`; `hooks.boot()` mounts the widgets whose boot data the page now carries.
 */
async function show(url, push, hooks) {
  const navigation = ++latest;
  let doc;
  try {
    // A redirect (e.g. a signed-out visitor sent to AuthKit) is not followed here: the page load does.
    const response = await fetch(url, { headers: { accept: "text/html" }, credentials: "same-origin", redirect: "manual" });
    const html = (response.headers.get("content-type") ?? "").startsWith("text/html");
    if (!response.ok || !html) return load(url);
    doc = new DOMParser().parseFromString(await response.text(), "text/html");
  } catch {
    return load(url);
  }
  // A later click won.
  if (navigation !== latest) return;
  const main = doc.querySelector("main.page");
  const nav = doc.querySelector("nav.sidenav");
  const here = document.querySelector("main.page");
  const hereNav = document.querySelector("nav.sidenav");
  const unexpected =
    !main || !nav || !here || !hereNav || who(doc) !== who(document) || doc.querySelector("[data-testid=session-notice], template");
  if (unexpected) return load(url);

  hooks.unmount(here);
  here.replaceWith(document.adoptNode(main));
  hereNav.replaceWith(document.adoptNode(nav));
  document.title = doc.title;
  if (push) history.pushState({ swapped: true }, "", url);
  window.scrollTo(0, 0);
  hooks.boot();
  hydrateIslands(main);
  const heading = main.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
}

/**
 * Hydrates the Leptos islands in `root` once the app's WASM is up. Before that, the islands
 * script's first pass (over the whole body, when the browser is idle) hydrates them.
 */
function hydrateIslands(root) {
  if (!document.documentElement.hasAttribute("data-islands-hydrated")) return;
  for (const island of root.querySelectorAll("leptos-island")) {
    window.__hydrateIsland?.(island, island.dataset.component);
  }
}

/** Takes over the side nav's links and the history's back and forward (see the top). */
export function enableNavigation(hooks) {
  document.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest?.("nav.sidenav a[href]");
    if (!link || link.target || link.origin !== location.origin) return;
    event.preventDefault();
    if (link.href === location.href) return;
    show(link.href, true, hooks);
  });
  // The first entry was a page load; mark it so going back to it swaps too.
  history.replaceState({ swapped: true }, "");
  addEventListener("popstate", (event) => {
    if (event.state?.swapped) show(location.href, false, hooks);
  });
}
