//! The Rust side of the JS bridge (browser-only): loads `/bridge/index.js` with a dynamic
//! `import()` — so pages without widgets load no React — and binds its `mount` API.

use wasm_bindgen::prelude::*;

/// Where the esbuild bundle of `bridge/` is served (copied from `public/bridge/`).
const BRIDGE_URL: &str = "/bridge/index.js";

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn import_module(url: &str) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// The bridge module: `mount(element, widget, props) -> Promise<handle>`.
    pub type BridgeModule;
    #[wasm_bindgen(method, catch)]
    async fn mount(this: &BridgeModule, element: &web_sys::Element, widget: &str, props: &JsValue) -> Result<JsValue, JsValue>;

    /// A mounted widget: `update(props)` re-renders in place, `unmount()` removes it.
    pub type WidgetHandle;
    #[wasm_bindgen(method)]
    pub fn update(this: &WidgetHandle, props: &JsValue);
    #[wasm_bindgen(method)]
    pub fn unmount(this: &WidgetHandle);
}

/// Loads the bridge (the browser caches the module after the first import) and mounts `widget`.
pub async fn mount_widget(element: &web_sys::Element, widget: &str, props: &JsValue) -> Result<WidgetHandle, String> {
    let module = import_module(BRIDGE_URL).await.map_err(describe)?;
    let handle = module.unchecked_into::<BridgeModule>().mount(element, widget, props).await.map_err(describe)?;
    Ok(handle.unchecked_into())
}

fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the widget could not be loaded".into())
}
