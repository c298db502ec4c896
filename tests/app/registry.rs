//! The widget registry is complete: every entry has a route the server serves, a bridge chunk
//! (`bridge/src/widgets/<id>.js`) and an emulator that answers its `/_widgets` calls; the bridge
//! has no chunk the registry does not name.

use std::collections::BTreeSet;
use std::path::Path;

use workos_widgets_host::app::App;
use workos_widgets_host::widgets::{REGISTRY, WidgetSpec};

/// What is missing for `spec`, if anything.
fn gaps(spec: &WidgetSpec, routes: &BTreeSet<String>, chunks: &BTreeSet<String>) -> Vec<String> {
    let mut gaps = Vec::new();
    if !routes.contains(spec.page) {
        gaps.push(format!("no route serves {}", spec.page));
    }
    if !chunks.contains(spec.id) {
        gaps.push(format!("no bridge chunk bridge/src/widgets/{}.js", spec.id));
    }
    if !workos_emulator::routes::widgets::served_widget_types().any(|t| t == spec.widgets_type) {
        gaps.push(format!(
            "the emulator serves no `/_widgets` calls of type {} (emulator/src/routes/widgets/)",
            spec.widgets_type
        ));
    }
    gaps
}

/// The paths the server routes to Leptos pages (needs a Tokio runtime: it renders the app once).
fn served_routes() -> BTreeSet<String> {
    leptos_axum::generate_route_list(App)
        .into_iter()
        .map(|route| route.path().to_string())
        .collect()
}

fn bridge_chunks() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bridge/src/widgets");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".js")?.to_string())
        })
        .collect()
}

#[tokio::test]
async fn every_registry_entry_has_a_route_a_bridge_chunk_and_emulator_operations() {
    let routes = served_routes();
    let chunks = bridge_chunks();
    let missing: Vec<String> = REGISTRY
        .iter()
        .flat_map(|spec| {
            gaps(spec, &routes, &chunks)
                .into_iter()
                .map(|g| format!("{}: {g}", spec.id))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "incomplete registry entries:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_bridge_chunk_is_a_registry_entry() {
    let ids: BTreeSet<&str> = REGISTRY.iter().map(|spec| spec.id).collect();
    for chunk in bridge_chunks() {
        assert!(
            ids.contains(chunk.as_str()),
            "bridge/src/widgets/{chunk}.js is in no registry entry"
        );
    }
}

#[tokio::test]
async fn an_incomplete_entry_is_reported() {
    let routes = served_routes();
    let chunks = bridge_chunks();
    let unknown = WidgetSpec {
        id: "not-a-widget",
        widgets_type: "not-a-widget",
        page: "/organization/not-a-widget",
        ..REGISTRY[0]
    };
    assert_eq!(
        gaps(&unknown, &routes, &chunks).len(),
        3,
        "{:?}",
        gaps(&unknown, &routes, &chunks)
    );
    assert!(gaps(&REGISTRY[0], &routes, &chunks).is_empty());
}
