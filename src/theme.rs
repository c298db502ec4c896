//! Light and dark theme.
//!
//! The choice (system, light, dark) lives in the `theme` cookie (one year, readable by scripts: it
//! holds no secret), so the server renders `<html data-theme=…>` and the first paint is already
//! right, with no inline script. The CSS picks colours with `light-dark()`; the widgets get the
//! effective appearance through the bridge's `handle.update({theme})`, in place, with no remount.

use leptos::prelude::*;

/// Name of the cookie holding the choice: `system` (or absent), `light` or `dark`.
pub const COOKIE: &str = "theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThemeChoice {
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    /// Parses a cookie value; anything unknown is `System`.
    pub fn parse(value: &str) -> Self {
        match value {
            "light" => Self::Light,
            "dark" => Self::Dark,
            _ => Self::System,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    /// The `data-theme` attribute of `<html>`: none when following the system.
    pub fn attribute(self) -> Option<&'static str> {
        (self != Self::System).then(|| self.as_str())
    }

    /// The choice after this one in the nav's toggle: system → light → dark → system.
    pub fn next(self) -> Self {
        match self {
            Self::System => Self::Light,
            Self::Light => Self::Dark,
            Self::Dark => Self::System,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::System => "System theme",
            Self::Light => "Light theme",
            Self::Dark => "Dark theme",
        }
    }
}

/// The theme: the user's choice and whether the system prefers dark. One per page in the browser
/// (shared by the islands: the theme toggle and every widget host), one per render on the server.
#[derive(Debug, Clone)]
pub struct Theme {
    pub choice: ArcRwSignal<ThemeChoice>,
    system_dark: ArcRwSignal<bool>,
}

impl Theme {
    /// The widgets' Radix `appearance`: `"light"` or `"dark"` (tracks both signals).
    pub fn appearance(&self) -> &'static str {
        let dark = match self.choice.get() {
            ThemeChoice::Dark => true,
            ThemeChoice::Light => false,
            ThemeChoice::System => self.system_dark.get(),
        };
        if dark { "dark" } else { "light" }
    }

    /// `appearance()` without tracking.
    pub fn appearance_untracked(&self) -> &'static str {
        untrack(|| self.appearance())
    }

    /// Makes `choice` the theme: the cookie, `<html data-theme>` and the signal (browser only).
    pub fn choose(&self, choice: ThemeChoice) {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let document = document();
            if let Ok(html) = document.clone().dyn_into::<web_sys::HtmlDocument>() {
                let _ = html.set_cookie(&format!(
                    "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                    choice.as_str()
                ));
            }
            if let Some(root) = document.document_element() {
                let _ = match choice.attribute() {
                    Some(value) => root.set_attribute("data-theme", value),
                    None => root.remove_attribute("data-theme"),
                };
            }
        }
        self.choice.set(choice);
    }

    /// The page's theme in the browser: the choice the server rendered, and the system's
    /// `prefers-color-scheme`, followed as it changes.
    #[cfg(feature = "hydrate")]
    fn in_browser() -> Self {
        let theme = Self {
            choice: ArcRwSignal::new(initial_choice()),
            system_dark: ArcRwSignal::new(false),
        };
        if let Some(query) = window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
        {
            use wasm_bindgen::prelude::*;
            theme.system_dark.set(query.matches());
            let system_dark = theme.system_dark.clone();
            let on_change = Closure::<dyn FnMut(web_sys::MediaQueryListEvent)>::new(
                move |e: web_sys::MediaQueryListEvent| system_dark.set(e.matches()),
            );
            let _ = query
                .add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
            // Lives as long as the page.
            on_change.forget();
        }
        theme
    }
}

/// The choice this page was rendered with: on the server from the request's `theme` cookie, in
/// the browser from `<html data-theme>` (which the server wrote).
pub fn initial_choice() -> ThemeChoice {
    #[cfg(feature = "ssr")]
    {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| crate::auth::cookies::read(&parts.headers, COOKIE))
            .map(|value| ThemeChoice::parse(&value))
            .unwrap_or(ThemeChoice::System)
    }
    #[cfg(not(feature = "ssr"))]
    {
        #[cfg(feature = "hydrate")]
        {
            document()
                .document_element()
                .and_then(|e| e.get_attribute("data-theme"))
                .map(|v| ThemeChoice::parse(&v))
                .unwrap_or(ThemeChoice::System)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            ThemeChoice::System
        }
    }
}

/// The theme: in the browser the page's one (islands hydrate separately and share no context, so
/// it is kept per page, not provided); on the server, this render's, from the request's cookie.
pub fn use_theme() -> Theme {
    #[cfg(feature = "hydrate")]
    {
        thread_local! {
            static PAGE_THEME: Theme = Theme::in_browser();
        }
        PAGE_THEME.with(Theme::clone)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Theme {
            choice: ArcRwSignal::new(initial_choice()),
            system_dark: ArcRwSignal::new(false),
        }
    }
}

/// The nav's theme button (an island): shows the current choice; a click moves to the next one.
#[island]
pub fn ThemeToggle() -> impl IntoView {
    let theme = use_theme();
    let label = theme.clone();
    view! {
        <button
            class="button theme-toggle"
            type="button"
            data-testid="theme-toggle"
            title="Change the theme (system, light, dark)"
            on:click=move |_| theme.choose(theme.choice.get_untracked().next())
        >
            {move || label.choice.get().label()}
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_and_round_trips_through_the_cookie_value() {
        let mut choice = ThemeChoice::System;
        for expected in [ThemeChoice::Light, ThemeChoice::Dark, ThemeChoice::System] {
            choice = choice.next();
            assert_eq!(choice, expected);
            assert_eq!(ThemeChoice::parse(choice.as_str()), choice);
        }
        assert_eq!(ThemeChoice::parse("purple"), ThemeChoice::System);
        assert_eq!(ThemeChoice::System.attribute(), None);
        assert_eq!(ThemeChoice::Dark.attribute(), Some("dark"));
    }
}
