//! Leptos.toml is the source of truth for the Leptos settings; cargo-leptos reads only Cargo.toml's
//! `[package.metadata.leptos]`. This test fails when the two tables differ in any key or value.

#[test]
fn leptos_toml_matches_the_cargo_leptos_metadata() {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |name: &str| -> toml::Table {
        let text = std::fs::read_to_string(format!("{root}/{name}"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        text.parse()
            .unwrap_or_else(|e| panic!("{name} is not TOML: {e}"))
    };
    let leptos = |table: &toml::Table, name: &str| -> toml::Table {
        table["package"]["metadata"]["leptos"]
            .as_table()
            .unwrap_or_else(|| panic!("{name} has no [package.metadata.leptos]"))
            .clone()
    };
    let from_leptos_toml = leptos(&read("Leptos.toml"), "Leptos.toml");
    let from_cargo_toml = leptos(&read("Cargo.toml"), "Cargo.toml");
    let keys = |t: &toml::Table| t.keys().cloned().collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        keys(&from_leptos_toml),
        keys(&from_cargo_toml),
        "the two tables have different keys"
    );
    for (key, value) in &from_leptos_toml {
        assert_eq!(
            Some(value),
            from_cargo_toml.get(key),
            "'{key}' differs: Leptos.toml has {value}, Cargo.toml has {:?}",
            from_cargo_toml.get(key)
        );
    }
    // Plain cargo builds get the same output name through .cargo/config.toml.
    let cargo_config = read(".cargo/config.toml");
    assert_eq!(
        cargo_config["env"]["LEPTOS_OUTPUT_NAME"].as_str(),
        from_leptos_toml["output-name"].as_str(),
        ".cargo/config.toml LEPTOS_OUTPUT_NAME differs from output-name"
    );
    // The table is not empty: the server needs at least these.
    for key in ["output-name", "site-root", "site-pkg-dir", "site-addr"] {
        assert!(
            from_leptos_toml.contains_key(key),
            "Leptos.toml lacks {key}"
        );
    }
}
