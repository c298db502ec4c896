//! JSON for the server functions the browser calls, decoded in the browser by the browser itself.
//!
//! The wire format is plain JSON (`application/json`), the same bytes Leptos's default `Json`
//! codec writes: the server encodes with `serde_json`; in the browser the body is parsed by
//! `JSON.parse` and mapped onto the Rust type with `serde-wasm-bindgen`, so the WASM carries no
//! JSON parser of its own (`serde_json` and its number formatting were ~9 KB of the compressed
//! WASM; BENCHMARKS.md). Used as the output of `widget_token` and `switch_organization` and as
//! the encoding of [`AppError`](crate::error::AppError).

use leptos::server_fn::codec::Post;
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON, decoded by the browser's `JSON.parse` in the WASM and by `serde_json` elsewhere.
pub struct BrowserJsonEncoding;

/// A server function's output as JSON in a `POST` answer ([`BrowserJsonEncoding`]).
pub type BrowserJson = Post<BrowserJsonEncoding>;

impl ContentType for BrowserJsonEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for BrowserJsonEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for BrowserJsonEncoding {
    type Error = serde_json::Error;

    fn encode(value: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(value).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for BrowserJsonEncoding {
    type Error = String;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(|e| e.to_string())?;
        from_json(text)
    }
}

/// `text` (JSON) as a `T`: through `JSON.parse` in the browser, `serde_json` elsewhere. Errors:
/// a message saying why (not JSON, or not the shape of `T`).
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    #[cfg(feature = "hydrate")]
    {
        let value = js_sys::JSON::parse(text).map_err(|_| "the answer is not JSON".to_string())?;
        serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    #[test]
    fn writes_what_the_default_json_codec_writes_and_reads_it_back() {
        let error = AppError::RateLimited(3);
        let ours = <BrowserJsonEncoding as Encodes<AppError>>::encode(&error).unwrap();
        assert_eq!(
            ours.as_ref(),
            serde_json::to_vec(&error).unwrap().as_slice()
        );
        let back: AppError = <BrowserJsonEncoding as Decodes<AppError>>::decode(ours).unwrap();
        assert_eq!(back, error);
        assert!(from_json::<AppError>("{\"Nope\":1}").is_err());
    }
}
