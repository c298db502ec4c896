//! The frame of every page: the document, its stylesheet (light and dark) and the footer.

use maud::{DOCTYPE, Markup, PreEscaped, html};

const STYLE: &str = r#"
:root { color-scheme: light dark; --bg:#f6f7f9; --card:#fff; --fg:#1c2024; --muted:#60646c; --line:#e0e1e6; --accent:#6e56cf; --err:#ce2c31; }
@media (prefers-color-scheme: dark) { :root { --bg:#111113; --card:#18191b; --fg:#edeef0; --muted:#b0b4ba; --line:#2e3135; --accent:#9e8cfc; --err:#ff9592; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background:var(--bg); color:var(--fg); display:flex; justify-content:center; padding:48px 16px; }
main { width:100%; max-width:420px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:12px; padding:28px; }
h1 { font-size:22px; margin:0 0 4px; } p.sub { color:var(--muted); margin:0 0 20px; }
label { display:block; font-weight:500; margin:12px 0 4px; }
input[type=email], input[type=password], input[type=text], input[type=number], select { width:100%; padding:9px 11px; border:1px solid var(--line); border-radius:8px; background:transparent; color:inherit; font:inherit; }
button { font:inherit; cursor:pointer; }
.primary { width:100%; margin-top:18px; padding:10px; border:0; border-radius:8px; background:var(--accent); color:#fff; font-weight:600; }
.error { color:var(--err); margin:12px 0 0; }
h2 { font-size:14px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); margin:28px 0 8px; }
.demo { display:block; width:100%; text-align:left; padding:10px 12px; margin:6px 0; border:1px solid var(--line); border-radius:8px; background:var(--card); color:inherit; }
.demo:hover { border-color:var(--accent); }
.demo small { display:block; color:var(--muted); }
details summary { cursor:pointer; color:var(--muted); margin-top:8px; }
footer { color:var(--muted); font-size:13px; margin-top:16px; text-align:center; }
select option { background:var(--card); color:var(--fg); }
fieldset { border:0; padding:0; margin:12px 0 0; } legend { font-weight:500; padding:0; margin-bottom:4px; }
fieldset label { display:flex; gap:8px; align-items:center; font-weight:400; margin:4px 0; }
.status { color:var(--muted); margin:0 0 4px; } .ok { color:var(--fg); border-left:3px solid var(--accent); padding-left:8px; }
.item { border:1px solid var(--line); border-radius:8px; padding:10px 12px; margin:8px 0; }
.item small { display:block; color:var(--muted); overflow-wrap:anywhere; }
.actions { display:flex; gap:8px; margin-top:8px; flex-wrap:wrap; }
.secondary { padding:6px 12px; border:1px solid var(--line); border-radius:8px; background:var(--card); color:inherit; }
.secondary:hover { border-color:var(--accent); }
:focus-visible { outline:2px solid var(--accent); outline-offset:2px; }
.done { margin-top:24px; } a { color:var(--accent); }
"#;

/// The `Content-Security-Policy` source of the pages' one stylesheet: `'sha256-<base64>'`, so a
/// page's policy can allow exactly it and no other style.
pub fn style_source() -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(STYLE.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// A whole HTML document titled `title` with `body` in its card column.
pub fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" href="data:,";
                style { (PreEscaped(STYLE)) }
            }
            body { main { (body) footer { "WorkOS emulator · local AuthKit" } } }
        }
    }
}
