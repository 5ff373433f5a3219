//! The shape of the workspace: dependencies point one way (domain ← persistence ← service ←
//! api and web, side by side ← server), the domain stays pure, the pages call the service rather
//! than the API's handlers, and deployment files say what they should.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

fn workspace_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The workspace's resolved dependency graph, from `cargo metadata`.
struct Graph {
    nodes: Vec<serde_json::Value>,
    names: HashMap<String, String>,
}

impl Graph {
    fn load() -> Self {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let output = Command::new(cargo)
            .args(["metadata", "--format-version", "1"])
            .current_dir(workspace_root())
            .output()
            .expect("cargo metadata");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let nodes = metadata["resolve"]["nodes"].as_array().cloned().unwrap();
        let names = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["id"].as_str().unwrap().to_owned(),
                    p["name"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        Self { nodes, names }
    }

    /// Every package `crate_name` pulls in for normal (non-dev) builds, transitively.
    fn normal_dependencies(&self, crate_name: &str) -> BTreeSet<String> {
        let root = self
            .names
            .iter()
            .find(|(_, name)| *name == crate_name)
            .map(|(id, _)| id.clone())
            .unwrap();
        let mut seen = BTreeSet::new();
        let mut stack = vec![root];
        while let Some(id) = stack.pop() {
            let Some(node) = self.nodes.iter().find(|n| n["id"] == id.as_str()) else {
                continue;
            };
            for dep in node["deps"].as_array().unwrap() {
                let normal = dep["dep_kinds"]
                    .as_array()
                    .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()));
                let dep_id = dep["pkg"].as_str().unwrap().to_owned();
                if normal && seen.insert(self.names[&dep_id].clone()) {
                    stack.push(dep_id);
                }
            }
        }
        seen
    }

    /// Asserts that `crate_name` reaches none of `forbidden`, and does reach `expected` (which
    /// shows the walk worked).
    fn assert_free_of(&self, crate_name: &str, expected: &str, forbidden: &[&str]) {
        let seen = self.normal_dependencies(crate_name);
        assert!(
            seen.contains(expected),
            "the walk found {crate_name}'s own dependencies: {seen:?}"
        );
        let found: Vec<&&str> = forbidden.iter().filter(|f| seen.contains(**f)).collect();
        assert!(found.is_empty(), "{crate_name} depends on {found:?}");
    }
}

#[test]
fn the_domain_crate_depends_on_no_web_database_or_runtime_crate() {
    Graph::load().assert_free_of(
        "domain",
        "uuid",
        &[
            "axum",
            "hyper",
            "tower",
            "tower-http",
            "reqwest",
            "sea-orm",
            "sea-query",
            "sqlx",
            "sqlx-core",
            "utoipa",
            "tokio",
            "jsonwebtoken",
            "argon2",
            "tracing",
            "persistence",
            "service",
        ],
    );
}

#[test]
fn the_service_layer_depends_on_no_web_crate_and_no_front_end() {
    Graph::load().assert_free_of(
        "service",
        "persistence",
        &[
            "axum",
            "hyper",
            "tower",
            "tower-http",
            "utoipa",
            "utoipa-axum",
            "maud",
            "api",
            "web",
        ],
    );
}

#[test]
fn the_api_and_the_pages_are_side_by_side_and_never_depend_on_each_other() {
    let graph = Graph::load();
    graph.assert_free_of("api", "service", &["web", "maud", "server"]);
    graph.assert_free_of(
        "web",
        "service",
        &["api", "utoipa", "utoipa-axum", "server"],
    );
}

#[test]
fn the_server_assembles_the_api_the_pages_and_the_service() {
    let seen = Graph::load().normal_dependencies("server");
    for needed in ["api", "web", "service", "persistence", "migrations"] {
        assert!(
            seen.contains(needed),
            "server does not reach {needed}: {seen:?}"
        );
    }
}

#[test]
fn storage_depends_on_neither_the_use_cases_nor_the_web() {
    Graph::load().assert_free_of(
        "persistence",
        "domain",
        &["service", "api", "web", "axum", "utoipa", "maud"],
    );
}

/// Every `.rs` file below `dir`, with its text.
fn sources(dir: &Path) -> Vec<(std::path::PathBuf, String)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                found.push((path, text));
            }
        }
    }
    found
}

#[test]
fn the_pages_call_the_service_and_never_an_api_handler_or_a_hand_built_extractor() {
    let web = workspace_root().join("crates/web/src");
    let forbidden = [
        "State(ctx",
        "AuthUser(ctx",
        "PathParams(",
        "QueryParams(",
        "Permitted::check",
        "JsonBody",
        "json_of(",
    ];
    let mut offences = Vec::new();
    for (path, text) in sources(&web) {
        for (n, line) in text.lines().enumerate() {
            if let Some(pattern) = forbidden.iter().find(|p| line.contains(*p)) {
                offences.push(format!("{}:{}: {pattern}", path.display(), n + 1));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "pages must parse forms into the service's input and call the service: {offences:#?}"
    );
}

#[test]
fn only_the_demo_loader_sets_the_clock() {
    // `Ctx::at` replays history at past instants; a front end using it could back-date a bid.
    let mut offences = Vec::new();
    for dir in [
        "crates/api/src",
        "crates/web/src",
        "crates/server/src",
        "bench/src",
    ] {
        for (path, text) in sources(&workspace_root().join(dir)) {
            if path.components().any(|c| c.as_os_str() == "demo") {
                continue;
            }
            for (n, line) in text.lines().enumerate() {
                if line.contains(".at(") || line.contains("command_at(") {
                    offences.push(format!("{}:{}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "the clock is set outside the demo: {offences:#?}"
    );
    let demo = sources(&workspace_root().join("crates/server/src/demo"));
    assert!(
        demo.iter().any(|(_, text)| text.contains("self.ctx.at(")),
        "the scan looks for what the demo does"
    );
}

#[test]
fn docker_compose_runs_postgres_15_and_two_replicas_behind_a_proxy_the_way_it_is_deployed() {
    let text = std::fs::read_to_string(workspace_root().join("docker-compose.yml"))
        .expect("docker-compose.yml");
    let compose: serde_json::Value = yaml_serde::from_str(&text).expect("not YAML");
    let services = &compose["services"];

    let db = &services["db"];
    assert!(
        db["image"]
            .as_str()
            .is_some_and(|i| i.starts_with("postgres:15")),
        "db image: {}",
        db["image"]
    );
    assert!(db["healthcheck"]["test"].to_string().contains("pg_isready"));
    assert!(
        db["environment"]["POSTGRES_PASSWORD"]
            .as_str()
            .is_some_and(|v| v.starts_with("${")),
        "the password comes from the environment"
    );

    // One migration, before any replica: replicas never migrate at once.
    let migrate = &services["migrate"];
    assert_eq!(migrate["build"]["dockerfile"], "Dockerfile");
    assert_eq!(migrate["command"], serde_json::json!(["migrate", "up"]));
    assert_eq!(migrate["depends_on"]["db"]["condition"], "service_healthy");

    let proxy_address = services["proxy"]["networks"]["backend"]["ipv4_address"]
        .as_str()
        .expect("the proxy has a fixed address for the replicas to trust")
        .to_owned();
    for name in ["marketplace-1", "marketplace-2"] {
        let replica = &services[name];
        assert_eq!(
            replica["image"], migrate["image"],
            "{name} runs the built image"
        );
        assert_eq!(
            replica["depends_on"]["migrate"]["condition"],
            "service_completed_successfully"
        );
        assert!(
            replica["healthcheck"]["test"]
                .to_string()
                .contains("/readyz")
        );
        assert!(
            replica["ports"].is_null(),
            "{name} is reached only through the proxy"
        );
        let environment = &replica["environment"];
        assert!(
            environment["DATABASE_URL"]
                .as_str()
                .is_some_and(|v| v.starts_with("postgres://") && v.contains("@db:5432/"))
        );
        assert!(
            environment["MARKETPLACE_JWT_SECRET"]
                .as_str()
                .is_some_and(|v| v.starts_with("${") && v.contains(":?")),
            "the JWT secret is required from the environment"
        );
        assert_eq!(environment["MARKETPLACE_BIND"], "0.0.0.0:8080");
        assert_eq!(environment["MARKETPLACE_NO_MIGRATE"], "true");
        assert_eq!(
            environment["MARKETPLACE_TRUSTED_PROXIES"],
            proxy_address.as_str()
        );
        assert!(environment["MARKETPLACE_METRICS_BIND"].is_string());
        // Files in the S3 bucket of the compose file's own object store.
        assert!(
            environment["MARKETPLACE_OBJECT_STORE"]
                .as_str()
                .is_some_and(|v| v.starts_with("s3://marketplace"))
        );
        assert_eq!(environment["AWS_ENDPOINT_URL"], "http://objects:9000");
        assert!(
            environment["AWS_SECRET_ACCESS_KEY"]
                .as_str()
                .is_some_and(|v| v.starts_with("${") && v.contains(":?")),
            "the store's secret is required from the environment"
        );
        assert_eq!(
            replica["depends_on"]["objects-bucket"]["condition"],
            "service_completed_successfully"
        );
    }
    assert!(
        services["objects"]["image"]
            .as_str()
            .is_some_and(|i| i.starts_with("minio/minio")),
        "object storage with S3's API"
    );
    assert!(
        services["objects-bucket"]["command"]
            .to_string()
            .contains("mc mb --ignore-existing store/marketplace")
    );

    let proxy = &services["proxy"];
    assert!(
        proxy["image"]
            .as_str()
            .is_some_and(|i| i.starts_with("nginx:")),
        "the official nginx image"
    );
    assert!(proxy["ports"].to_string().contains("8080:8080"));
    assert!(
        proxy["healthcheck"]["test"]
            .to_string()
            .contains("/healthz")
    );
    for name in ["marketplace-1", "marketplace-2"] {
        assert_eq!(proxy["depends_on"][name]["condition"], "service_healthy");
    }
    let mount = proxy["volumes"][0]
        .as_str()
        .expect("the proxy's configuration");
    let config_path = mount.split(':').next().unwrap().trim_start_matches("./");
    let config = std::fs::read_to_string(workspace_root().join(config_path))
        .expect("the proxy's configuration file");
    let upstream = config
        .split("upstream marketplace {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("an upstream of the replicas");
    for name in ["marketplace-1:8080", "marketplace-2:8080"] {
        assert!(upstream.contains(name), "{name} is not behind the proxy");
    }
    assert!(config.contains("proxy_pass http://marketplace;"));
    assert!(config.contains("X-Forwarded-For $proxy_add_x_forwarded_for"));
    assert!(
        !config.contains("non_idempotent"),
        "a POST must never be sent to a second replica"
    );
}

#[test]
fn the_dockerfile_is_multi_stage_and_runs_as_a_non_root_user() {
    let text = std::fs::read_to_string(workspace_root().join("Dockerfile")).expect("Dockerfile");
    let stages = text
        .lines()
        .filter(|l| l.trim_start().to_uppercase().starts_with("FROM "))
        .count();
    assert!(
        stages >= 2,
        "multi-stage build expected, found {stages} stage(s)"
    );
    let user = text
        .lines()
        .rev()
        .find(|l| l.trim_start().to_uppercase().starts_with("USER "))
        .expect("no USER instruction");
    let user = user.trim()[5..].trim();
    assert!(
        user != "root" && user != "0" && !user.starts_with("0:"),
        "runs as {user}"
    );
    assert!(text.contains("cargo build --release"));
    assert!(text.contains("HEALTHCHECK") || text.contains("healthz"));
}
