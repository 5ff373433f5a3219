//! The OpenAPI contract: the committed document is what the code generates, every documented
//! operation is routed, nothing is routed that is not documented, and the docs work offline.

use e2e::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[test]
fn the_committed_openapi_document_is_what_the_code_generates() {
    let generated = api::openapi::document_json().unwrap();
    let path = workspace_root().join("openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    assert!(
        committed == generated,
        "openapi/openapi.json differs from the generated document; run \
         `cargo run -p api --bin marketplace -- openapi > openapi/openapi.json` (or UPDATE_OPENAPI=1 cargo test) and review the diff"
    );
}

/// Every `$ref` in `value`, wherever it sits.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                found.push(reference.clone());
            }
            map.values().for_each(|v| references(v, found));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, found)),
        _ => {}
    }
}

#[test]
fn every_reference_in_the_document_resolves() {
    let generated = api::openapi::document_json().unwrap();
    let document: Value = serde_json::from_str(&generated).unwrap();
    let mut found = Vec::new();
    references(&document, &mut found);
    assert!(!found.is_empty());
    for reference in found {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{reference} is not local"));
        assert!(
            document.pointer(pointer).is_some(),
            "{reference} does not resolve"
        );
    }
}

#[test]
fn the_document_is_openapi_3_1_and_every_operation_lists_its_errors_and_security() {
    let document: Value = serde_json::to_value(api::openapi::document()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().cloned().unwrap();
    assert!(!paths.is_empty());
    for (path, item) in &paths {
        for method in METHODS {
            let Some(operation) = item.get(method) else {
                continue;
            };
            let name = format!("{method} {path}");
            assert!(
                operation["operationId"].is_string(),
                "{name} has no operationId"
            );
            assert!(
                operation["tags"].as_array().is_some_and(|t| !t.is_empty()),
                "{name} has no tag"
            );
            assert!(
                operation["security"].is_array(),
                "{name} states no security requirement"
            );
            let responses = operation["responses"].as_object().cloned().unwrap();
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.get("bearer").is_some()));
            if secured {
                assert!(
                    responses.contains_key("401"),
                    "{name} does not document 401"
                );
            }
            if operation.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{name} does not document {status}"
                    );
                }
            }
            for (status, response) in &responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let reference = response["$ref"].as_str().unwrap_or("");
                    assert!(
                        reference.starts_with("#/components/responses/"),
                        "{name} {status} is not a problem details response"
                    );
                }
            }
        }
    }
    let problem =
        &document["components"]["responses"]["Unauthorized"]["content"]["application/problem+json"];
    assert!(
        problem.is_object(),
        "problem responses use application/problem+json"
    );
}

fn documented_operations() -> Vec<(String, String)> {
    let document: Value = serde_json::to_value(api::openapi::document()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().cloned().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                operations.push((method.to_owned(), path.clone()));
            }
        }
    }
    operations
}

fn concrete(path: &str) -> String {
    path.replace("{id}", &uuid::Uuid::new_v4().to_string())
}

#[tokio::test]
async fn every_documented_operation_is_routed() {
    let app = TestApp::spawn().await;
    for (method, path) in documented_operations() {
        let method: Method = method.to_uppercase().parse().unwrap_or(Method::GET);
        let response = app.send(method.clone(), &concrete(&path), None, None).await;
        let mut status = response.status();
        // A public read of a random id finds nothing there, which its handler says by name.
        if status == StatusCode::NOT_FOUND {
            let body = e2e::json_body(response).await;
            if body["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("No such "))
            {
                status = StatusCode::OK;
            }
        }
        assert!(
            status != StatusCode::NOT_FOUND && status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is documented but not routed ({status})"
        );
    }
}

#[tokio::test]
async fn no_method_is_routed_on_a_documented_path_without_being_documented() {
    let app = TestApp::spawn().await;
    let operations = documented_operations();
    let mut paths: Vec<&String> = operations.iter().map(|(_, p)| p).collect();
    paths.dedup();
    for path in paths {
        for method in METHODS {
            if operations.iter().any(|(m, p)| m == method && p == path) {
                continue;
            }
            let method: Method = method.to_uppercase().parse().unwrap_or(Method::GET);
            let response = app.send(method.clone(), &concrete(path), None, None).await;
            assert_eq!(
                response.status(),
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} answers but is not documented"
            );
        }
    }
}

#[test]
fn every_route_in_the_source_is_registered_through_the_documented_router() {
    // Plain axum routes bypass the document; only the web pages and their assets may be.
    let allowed = [
        r#".route("/", get(web::home))"#,
        r#".route("/assets/{*path}", get(web::asset))"#,
    ];
    let mut offenders = Vec::new();
    let mut stack = vec![workspace_root().join("crates/api/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                // The web pages are HTML for browsers, not part of the API contract.
                if !path.ends_with("web") {
                    stack.push(path);
                }
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                let line = line.trim();
                if (line.contains(".route(")
                    || line.contains(".route_service(")
                    || line.contains(".nest_service("))
                    && !allowed.contains(&line)
                {
                    offenders.push(format!("{}: {line}", path.display()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "undocumented routes: {offenders:#?}");
}

#[tokio::test]
async fn the_served_document_is_the_generated_one() {
    let app = TestApp::spawn().await;
    let served: Value =
        e2e::json_body(app.send(Method::GET, "/openapi.json", None, None).await).await;
    let generated = serde_json::to_value(api::openapi::document()).unwrap();
    assert_eq!(served, generated);
}

#[tokio::test]
async fn the_interactive_docs_are_served_entirely_by_the_app() {
    let app = TestApp::spawn().await;
    let response = app.send(Method::GET, "/docs/", None, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let html = response.text().await.unwrap();
    let mut assets = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        for piece in html.split(attribute).skip(1) {
            if let Some(end) = piece.find('"') {
                assets.push(piece[..end].to_owned());
            }
        }
    }
    assert!(
        assets.iter().any(|a| a.ends_with(".js")),
        "no scripts found in {html}"
    );
    for asset in &assets {
        assert!(
            !asset.starts_with("http:") && !asset.starts_with("https:") && !asset.starts_with("//"),
            "/docs loads {asset} from elsewhere"
        );
        let path = format!("/docs/{}", asset.trim_start_matches("./"));
        let response = app.send(Method::GET, &path, None, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let initializer = app
        .send(Method::GET, "/docs/swagger-initializer.js", None, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(initializer.contains("\"/openapi.json\""), "{initializer}");
    assert!(
        initializer.contains("\"validatorUrl\": \"none\""),
        "the online validator must be off"
    );
}

#[test]
fn the_procurement_act_codes_are_documented_as_they_are_sent() {
    let document: Value = serde_json::to_value(api::openapi::document()).unwrap();
    let schemas = &document["components"]["schemas"];
    let codes = |name: &str| schemas[name]["enum"].clone();
    assert_eq!(
        codes("NoticeType"),
        serde_json::json!([
            "UK2", "UK3", "UK4", "UK5", "UK6", "UK7", "UK10", "UK11", "UK12"
        ])
    );
    assert_eq!(
        codes("IdentifierScheme"),
        serde_json::json!(["GB-NHS", "GB-COH", "GB-CHC", "GB-PPON"])
    );
    assert_eq!(
        codes("AuthorityType"),
        serde_json::json!(["central_government", "sub_central"])
    );
}
