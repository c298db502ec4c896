//! The coverage table of `emulator/README.md` cannot drift: every route the emulator registers is
//! in it, and every test file it names exists and exercises the route.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `(method, path)` of every `.route("…", get(…).post(…))` in `src/routes`, with `/_widgets` in
/// front of the widget routers' paths.
pub fn registered_routes() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    let dir = format!("{}/src/routes", env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.extend(
        std::fs::read_dir(format!("{dir}/widgets"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    for file in files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(&file).unwrap();
        let prefix = if file.parent().unwrap().ends_with("widgets") {
            "/_widgets"
        } else {
            ""
        };
        for chunk in text.split(".route(\"").skip(1) {
            let (path, rest) = chunk.split_once('"').unwrap();
            let call = rest.split("))\n").next().unwrap();
            for method in ["get", "post", "delete", "put"] {
                if call.contains(&format!("{method}(")) || call.contains(&format!(".{method}(")) {
                    routes.insert((method.to_uppercase(), format!("{prefix}{path}")));
                }
            }
        }
    }
    routes
}

#[test]
fn every_registered_route_is_in_the_readme_table_with_an_existing_test_file() {
    let readme = read("README.md");
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `")).collect();
    for (method, path) in registered_routes() {
        let path = path.replace("{client_id}", "{client_id}");
        let row = rows
            .iter()
            .find(|r| {
                let cell = r.split('|').nth(1).unwrap_or_default();
                let cell_path = cell.split('`').nth(1).unwrap_or_default();
                let (m, p) = cell_path.split_once(' ').unwrap_or_default();
                m == method && normalise(p) == normalise(&path)
            })
            .unwrap_or_else(|| {
                panic!("{method} {path} is served but not in emulator/README.md's coverage table")
            });
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[2], "yes", "{method} {path}: served column");
        for file in cells[3]
            .split(", ")
            .filter_map(|f| f.strip_prefix('`')?.strip_suffix('`'))
        {
            let text = read(&format!("tests/api/{file}"));
            let last = path
                .rsplit('/')
                .find(|s| !s.starts_with('{'))
                .unwrap_or_default();
            assert!(
                text.contains(last),
                "{file} does not exercise {method} {path}"
            );
        }
    }
}

/// Path parameters compared by position only: `{userId}` = `{user_id}` = `{id}`.
pub fn normalise(path: &str) -> String {
    path.split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}
