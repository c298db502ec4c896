//! The Rust side of the JS bridge (browser-only): loads the bridge entry with a dynamic
//! `import()` — so pages without widgets load no React — and binds its `mount` API. The entry's
//! URL is content-hashed (`crate::assets`); the page shell names it in a `<meta>`
//! ([`super::BRIDGE_META`]).

use wasm_bindgen::prelude::*;

/// The bridge entry's unhashed path, for a page without the `<meta>` (served uncached).
const BRIDGE_FALLBACK: &str = "/bridge/index.js";

/// The bridge entry's URL from the page's `<meta name="workos-widgets-bridge">`.
fn bridge_url() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| {
            d.query_selector(&format!("meta[name=\"{}\"]", super::BRIDGE_META))
                .ok()
                .flatten()
        })
        .and_then(|meta| meta.get_attribute("content"))
        .unwrap_or_else(|| BRIDGE_FALLBACK.to_string())
}

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    /// Starts `import(url)` at once (the promise settles with the module).
    fn import_module(url: &str) -> js_sys::Promise;
}

#[wasm_bindgen]
extern "C" {
    /// The bridge module: `mount(element, widget, props) -> Promise<handle>`.
    pub type BridgeModule;
    #[wasm_bindgen(method, catch)]
    async fn mount(
        this: &BridgeModule,
        element: &web_sys::Element,
        widget: &str,
        props: &JsValue,
    ) -> Result<JsValue, JsValue>;

    /// A mounted widget: `update(props)` re-renders in place, `unmount()` removes it.
    pub type WidgetHandle;
    #[wasm_bindgen(method)]
    pub fn update(this: &WidgetHandle, props: &JsValue);
    #[wasm_bindgen(method)]
    pub fn unmount(this: &WidgetHandle);
}

/// The bridge module, loading: start it before other work (the widget token) and await it after,
/// so the two overlap. The browser evaluates the module once; later imports get the same one.
pub struct BridgeLoad(wasm_bindgen_futures::JsFuture);

pub fn load_bridge() -> BridgeLoad {
    BridgeLoad(wasm_bindgen_futures::JsFuture::from(import_module(
        &bridge_url(),
    )))
}

impl BridgeLoad {
    /// Waits for the bridge and mounts `widget` into `element`.
    pub async fn mount(
        self,
        element: &web_sys::Element,
        widget: &str,
        props: &JsValue,
    ) -> Result<WidgetHandle, String> {
        let module = self.0.await.map_err(describe)?;
        let handle = module
            .unchecked_into::<BridgeModule>()
            .mount(element, widget, props)
            .await
            .map_err(describe)?;
        Ok(handle.unchecked_into())
    }
}

fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the widget could not be loaded".into())
}
