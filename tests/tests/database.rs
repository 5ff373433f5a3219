//! Migrations and readiness, on whichever database the run targets.

use e2e::{TestApp, TestDatabase, assert_problem, json_body};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn migrations_go_up_down_and_up_again() {
    let database = TestDatabase::empty().await;
    let db = &database.db;
    db.migrate_up().await.expect("first up");
    let status = db.migration_status().await.unwrap();
    assert!(!status.is_empty() && status.iter().all(|m| m.applied));

    db.migrate_down(None).await.expect("down");
    let status = db.migration_status().await.unwrap();
    assert!(status.iter().all(|m| !m.applied), "{status:?}");

    db.migrate_up().await.expect("second up");
    let status = db.migration_status().await.unwrap();
    assert!(status.iter().all(|m| m.applied));
    // The schema works after the round trip.
    server::cli::create_admin(db, "admin@round.trip", "Admin", "a long enough password")
        .await
        .unwrap();
}

#[tokio::test]
async fn the_database_clock_is_used_for_times() {
    let database = TestDatabase::migrated().await;
    let db_now = database.db.now().await.unwrap();
    let skew = (chrono::Utc::now() - db_now).num_seconds().abs();
    assert!(skew < 5, "database clock is {skew} s from the host's");
}

#[tokio::test]
async fn liveness_and_readiness_report_the_database() {
    let app = TestApp::spawn().await;
    let live = json_body(app.send(Method::GET, "/healthz", None, None).await).await;
    assert_eq!(live["status"], "ok");
    let ready = json_body(app.send(Method::GET, "/readyz", None, None).await).await;
    assert_eq!(ready["status"], "ready");

    app.database.db.clone().close().await.unwrap();
    assert_problem(
        app.send(Method::GET, "/readyz", None, None).await,
        StatusCode::SERVICE_UNAVAILABLE,
    )
    .await;
    let live = app.send(Method::GET, "/healthz", None, None).await;
    assert_eq!(live.status(), StatusCode::OK, "the process is still up");
}

#[test]
fn a_database_url_names_another_database_and_keeps_the_rest() {
    assert_eq!(
        persistence::with_database("postgres://postgres@127.0.0.1:5432/postgres", "mkt"),
        "postgres://postgres@127.0.0.1:5432/mkt"
    );
    assert_eq!(
        persistence::with_database("postgres://u@h/db?sslmode=disable", "other"),
        "postgres://u@h/other?sslmode=disable"
    );
    assert_eq!(
        persistence::with_database("postgres://u@h", "x"),
        "postgres://u@h/x"
    );
}
