// Local provider icons for the widgets' stylesheet (used by build.mjs).
//
// `@workos-inc/widgets` styles `.woswidgets-provider-icon[data-provider=…]` with a background image
// per provider, set as a custom property `--provider-icon-<name>: url(https://…)` once in a light
// block (`.radix-themes`) and once in a dark block (`:is(.dark,.dark-theme) …`), pointing at the
// WorkOS CDNs (dist/css/lib/provider-icon.css). The product sends no request anywhere but the app
// and its emulator, so the build replaces every such URL with an SVG of its own: a rounded square
// with the provider's initials, tinted per provider, one variant per theme. The name comes from the
// custom property (the CDN file names are often uuids), the theme from the enclosing selector.
// Output is a pure function of the stylesheet: same input, same bytes.

// Names whose spelling is not the title case of their slug.
const DISPLAY_NAMES = {
  adp: "ADP",
  aws: "AWS",
  "bamboo-hr": "BambooHR",
  "breathe-hr": "Breathe HR",
  cas: "CAS",
  "cezanne-hr": "Cezanne HR",
  classlink: "ClassLink",
  cyberark: "CyberArk",
  "frame-io": "Frame.io",
  "generic-oauth": "OAuth",
  github: "GitHub",
  gitlab: "GitLab",
  godaddy: "GoDaddy",
  "google-mail": "Gmail",
  helpscout: "Help Scout",
  hibob: "HiBob",
  hubspot: "HubSpot",
  jumpcloud: "JumpCloud",
  lastpass: "LastPass",
  linkedin: "LinkedIn",
  "login-gov": "Login.gov",
  "microsoft-onedrive": "Microsoft OneDrive",
  "microsoft-onenote": "Microsoft OneNote",
  "microsoft-sharepoint": "Microsoft SharePoint",
  "microsoft-todo": "Microsoft To Do",
  miniorange: "miniOrange",
  "net-iq": "NetIQ",
  "next-auth": "NextAuth",
  onelogin: "OneLogin",
  "react-native-expo": "Expo",
  "simple-saml-php": "SimpleSAMLphp",
  "test-idp": "Test IdP",
  vmware: "VMware",
  workos: "WorkOS",
};

// Marks where the rule below gives two siblings of one vendor the same one.
const INITIALS = {
  "google-cloud": "GCP",
  "microsoft-onedrive": "OD",
  "microsoft-onenote": "ON",
  "microsoft-outlook": "Ou",
  "microsoft-outlook-calendar": "OC",
  "microsoft-sharepoint": "SP",
  "microsoft-teams": "Te",
  "microsoft-todo": "TD",
};

export const displayName = (name) =>
  DISPLAY_NAMES[name] ?? name.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join(" ");

// Two letters: the first letters of the first two words ("Google Drive" → GD), or a short acronym
// whole ("AWS"), or a single word's capitals ("GitHub" → GH), or its first two letters ("Slack" → Sl).
export const initials = (name) => {
  if (INITIALS[name]) return INITIALS[name];
  const words = displayName(name).split(/[\s.]+/).filter(Boolean);
  if (words.length > 1) return (words[0][0] + words[1][0]).toUpperCase();
  if (words[0].length <= 3 && words[0] === words[0].toUpperCase()) return words[0];
  const caps = words[0].replace(/[^A-Z]/g, "");
  return caps.length >= 2 ? caps.slice(0, 2) : words[0][0].toUpperCase() + words[0][1];
};

// FNV-1a, for a stable hue per provider.
const hash = (s) => {
  let h = 0x811c9dc5;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
};

const hex = (h, s, l) => {
  const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
  const f = (n) => {
    const k = (n + h / 30) % 12;
    const v = l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(v * 255).toString(16).padStart(2, "0");
  };
  return `#${f(0)}${f(8)}${f(4)}`;
};

const luminance = (color) => {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};

export const contrast = (a, b) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

// Light: a pale tinted tile with dark text; dark: a deep tile with light text. The text is moved
// away from the tile until it reaches WCAG AA (4.5:1) against it.
const PALETTES = {
  light: { tile: [55, 93], edge: [35, 80], text: [65, 30], step: -3 },
  dark: { tile: [35, 22], edge: [30, 34], text: [70, 85], step: 3 },
};

export const iconSvg = (name, theme) => {
  const hue = hash(name) % 360;
  const p = PALETTES[theme];
  const tile = hex(hue, ...p.tile);
  let [ts, tl] = p.text;
  while (contrast(hex(hue, ts, tl), tile) < 4.5) tl += p.step;
  const label = initials(name);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" role="img">` +
    `<title>${displayName(name)}</title>` +
    `<rect x=".5" y=".5" width="31" height="31" rx="7" fill="${tile}" stroke="${hex(hue, ...p.edge)}"/>` +
    `<text x="16" y="16" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" ` +
    `font-size="${label.length > 2 ? 11 : 14}" font-weight="600" fill="${hex(hue, ts, tl)}">${label}</text></svg>\n`
  );
};

const EXTERNAL_URL = /url\(\s*(["']?)(https?:\/\/[^"')\s]+)\1\s*\)/g;

// The selector of the block that holds position `at` in a minified stylesheet.
const enclosingSelector = (css, at) => {
  let depth = 0;
  for (let i = at - 1; i >= 0; i--) {
    if (css[i] === "}") depth++;
    else if (css[i] === "{" && depth-- === 0) {
      const start = Math.max(css.lastIndexOf("}", i - 1), css.lastIndexOf("{", i - 1), css.lastIndexOf(";", i - 1));
      return css.slice(start + 1, i).trim();
    }
  }
  return "";
};

/**
 * Replaces every `--provider-icon-<name>: url(https://…)` in `css` with `url(<urlFor(theme, name)>)`
 * and returns the new stylesheet and the icons it needs (`{theme, name, svg}`, sorted).
 * Throws on an external URL anywhere else, or in a block that is neither the light nor the dark one,
 * naming the URL, so a new package version cannot add requests to another host unnoticed.
 */
export const localizeProviderIcons = (css, urlFor) => {
  const icons = new Map();
  const out = css.replace(EXTERNAL_URL, (match, _quote, href, offset) => {
    const declaration = css.slice(Math.max(css.lastIndexOf(";", offset), css.lastIndexOf("{", offset)) + 1, offset);
    const property = /^\s*--provider-icon-([a-z0-9-]+)\s*:\s*$/.exec(declaration);
    const selector = enclosingSelector(css, offset);
    const positive = selector.replace(/:not\([^)]*\)/g, "");
    const theme = /\.dark(-theme)?\b/.test(positive) ? "dark" : /\.radix-themes\b/.test(positive) ? "light" : null;
    if (!property || !theme)
      throw new Error(
        `external URL ${href} in \`${selector} { ${declaration.trim()} … }\`: ` +
          "not a provider icon of the light or dark theme; give it a local file in bridge/icons.mjs",
      );
    const name = property[1];
    icons.set(`${theme}/${name}`, { theme, name, svg: iconSvg(name, theme) });
    return `url(${urlFor(theme, name)})`;
  });
  return { css: out, icons: [...icons.keys()].sort().map((k) => icons.get(k)) };
};

// XML namespace names are identifiers, never fetched.
const NAMESPACES = ["http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"];

/** Throws when `text` (an emitted stylesheet, `file`) still names an http(s) URL. */
export const assertNoExternalUrls = (text, file) => {
  const left = NAMESPACES.reduce((t, ns) => t.replaceAll(ns, ""), text).match(/https?:\/\/[^\s"')]*/g);
  if (left)
    throw new Error(
      `${file} still references ${left.length} external URL(s), e.g. ${[...new Set(left)].slice(0, 5).join(", ")}; ` +
        "the app must request nothing but itself and the emulator (see bridge/icons.mjs)",
    );
};
