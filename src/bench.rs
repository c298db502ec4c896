//! Benchmark-only routes, mounted only when `WORKOS_WIDGETS_BENCH=1` (`make bench` sets it; they
//! are absent otherwise). They give the benchmarks their baselines from the same binary, behind
//! the same middleware:
//!
//! - `GET /_bench/floor/{widget}?token=…&api=http://host:port`: a static HTML page that loads the
//!   same widget bundle (the bridge entry, at its hashed URL) and mounts `widget` with a pre-minted widget token:
//!   the floor for "time to widget" (what the browser needs anyway, with no WASM, no SSR, no
//!   server function).
//! - `PUT /_bench/bare` (body: bytes) then `GET /_bench/bare`: a bare handler answering those
//!   bytes, the baseline for server-side rendering throughput.

use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

/// The environment variable that mounts these routes.
pub const ENABLE: &str = "WORKOS_WIDGETS_BENCH";

pub fn enabled() -> bool {
    std::env::var(ENABLE).is_ok_and(|v| v == "1")
}

#[derive(Clone, Default)]
struct Bare(Arc<RwLock<Bytes>>);

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/_bench/floor/{widget}", get(floor))
        .route("/_bench/bare", get(bare).put(set_bare))
        .with_state(Bare::default())
}

async fn bare(State(bare): State<Bare>) -> Response {
    let bytes = bare.0.read().map(|b| b.clone()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response()
}

async fn set_bare(State(bare): State<Bare>, body: Bytes) -> StatusCode {
    if let Ok(mut slot) = bare.0.write() {
        *slot = body;
    }
    StatusCode::NO_CONTENT
}

async fn floor(Path(widget): Path<String>) -> Response {
    let Some(kind) = crate::widgets::WidgetKind::from_id(&widget) else {
        return (StatusCode::NOT_FOUND, "unknown widget").into_response();
    };
    let widgets_type = kind.spec().widgets_type;
    let bridge = crate::assets::bridge_url(crate::widgets::preload::ENTRY);
    // Token and API origin come from the query string; nothing else is interpolated.
    Html(format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>floor</title></head>
<body><main><section data-widget="{widget}"><div class="widget-host" id="host"></div></section></main>
<script type="module">
const query = new URLSearchParams(location.search);
const token = query.get("token");
const api = new URL(query.get("api"));
const {{ mount }} = await import("{bridge}");
await mount(document.getElementById("host"), "{widget}", {{
  initialToken: token, authToken: async () => token, widgetsType: "{widgets_type}",
  apiHostname: api.hostname, port: api.port ? Number(api.port) : null, https: api.protocol === "https:",
  theme: {{ appearance: "light" }},
}});
</script></body></html>"#
    ))
    .into_response()
}
