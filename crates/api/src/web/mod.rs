//! Server-rendered pages in the NHS design language, and the NHS.UK frontend assets they use,
//! embedded in the binary so that nothing is fetched from a CDN. Every page works without
//! JavaScript; every form is protected against CSRF; the pages call the same domain and
//! persistence code as the API.

pub mod bids;
pub mod contracts;
pub mod evaluation;
pub mod market;
pub mod offers;
pub mod pages;
pub mod session;
pub mod tenders;
pub mod ui;

use crate::error::ApiError;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// One embedded asset under `/assets/`, cached for a day (the binary's version changes them).
pub async fn asset(Path(path): Path<String>) -> Result<Response, ApiError> {
    let (_, media, bytes) = ASSETS
        .iter()
        .find(|(name, _, _)| *name == path)
        .ok_or_else(|| ApiError::NotFound(format!("No such asset: {path}.")))?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        *bytes,
    )
        .into_response())
}

pub async fn home() -> Html<&'static str> {
    Html(HOME)
}

const HOME: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Commissioning Support Marketplace</title>
<link rel="stylesheet" href="/assets/nhsuk-frontend.min.css">
<style>
  body { margin: 0; font-family: Arial, sans-serif; color: #212b32; background: #f0f4f5; line-height: 1.5; }
  header { background: #005eb8; color: #fff; padding: 16px 24px; }
  header p { margin: 0; font-weight: bold; font-size: 1.25rem; }
  main { max-width: 960px; margin: 0 auto; padding: 24px; }
  a { color: #005eb8; } a:focus { outline: 4px solid #ffeb3b; background: #ffeb3b; color: #212b32; }
  .card { background: #fff; padding: 24px; border: 1px solid #d8dde0; }
</style>
</head>
<body>
<header><p>NHS Commissioning Support Marketplace</p></header>
<main>
  <h1>Commissioning Support Marketplace</h1>
  <div class="card">
    <p>Commissioners buy back-office support services from Commissioning Support Units and other
    suppliers here: suppliers publish priced offers, buyers run sealed competitive tenders, and NHS
    England watches market concentration.</p>
    <ul>
      <li><a href="/sign-in">Sign in</a></li>
      <li><a href="/docs/">API documentation</a> (interactive, works offline)</li>
      <li><a href="/openapi.json">OpenAPI 3.1 contract</a></li>
    </ul>
  </div>
</main>
</body>
</html>
"#;
