//! Idempotency keys: a signed-in POST with an `Idempotency-Key` runs once; a retry within 24
//! hours gets the same answer with `Idempotency-Replayed: true` and changes nothing; the same key
//! with another request is 422, a retry while the first runs 409; keys are each user's; the
//! answer is stored in the change's own transaction, so neither is kept without the other.

use domain::access::Actor;
use domain::ids::{OrganisationId, UserId};
use domain::organisation::OrganisationKind;
use domain::user::Role;
use e2e::{TestApp, assert_problem_type, json_body, offer_json};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use service::idempotency::{Begin, Key, StoredResponse, fingerprint};
use uuid::Uuid;

async fn keyed(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> reqwest::Response {
    app.request(Method::POST, path, token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn replayed(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get("idempotency-replayed")
        .is_some_and(|v| v == "true")
}

async fn audit_count(app: &TestApp, action: &str) -> usize {
    let log = json_body(
        app.get("/api/v1/audit?per_page=100", &app.admin_token)
            .await,
    )
    .await;
    log["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{log}"))
        .iter()
        .filter(|e| e["action"] == action)
        .count()
}

#[tokio::test]
async fn a_retried_post_with_its_key_is_answered_again_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let body = offer_json(json!({}));
    let first = keyed(&app, &supplier.token, "/api/v1/offers", "offer-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(!replayed(&first));
    let etag = first.headers().get("etag").cloned();
    let created = first.text().await.unwrap();

    let again = keyed(
        &app,
        &supplier.token,
        "/api/v1/offers",
        "\"offer-1\"",
        &body,
    )
    .await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert!(replayed(&again), "the retry ran again");
    assert_eq!(again.headers().get("etag").cloned(), etag);
    assert_eq!(
        again.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert_eq!(again.text().await.unwrap(), created);

    assert_eq!(audit_count(&app, "offer.created").await, 1);
    assert_eq!(audit_count(&app, "offer.created").await, 1);
    // Without a key, the same body is a new request.
    let unkeyed = app.post("/api/v1/offers", &supplier.token, body).await;
    assert_eq!(unkeyed.status(), StatusCode::CREATED);
    assert_eq!(audit_count(&app, "offer.created").await, 2);
}

#[tokio::test]
async fn a_refusal_is_answered_again_too_and_the_key_stays_with_its_request() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let invalid = offer_json(json!({"unit_price_pence": -1}));
    let first = keyed(&app, &supplier.token, "/api/v1/offers", "k", &invalid).await;
    let problem = assert_problem_type(first, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let again = keyed(&app, &supplier.token, "/api/v1/offers", "k", &invalid).await;
    assert!(replayed(&again));
    assert_eq!(json_body(again).await, problem);

    // The corrected request is a different one: it needs a key of its own.
    let corrected = offer_json(json!({}));
    let mismatch = keyed(&app, &supplier.token, "/api/v1/offers", "k", &corrected).await;
    assert_problem_type(
        mismatch,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-mismatch",
    )
    .await;
    // So is the same body sent to another path.
    let elsewhere = keyed(&app, &supplier.token, "/api/v1/tenders", "k", &invalid).await;
    assert_problem_type(
        elsewhere,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency-key-mismatch",
    )
    .await;
    assert_eq!(audit_count(&app, "offer.created").await, 0);
    let fresh = keyed(&app, &supplier.token, "/api/v1/offers", "k2", &corrected).await;
    assert_eq!(fresh.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_deactivated_account_is_refused_rather_than_given_its_stored_answer() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let body = offer_json(json!({}));
    let first = keyed(&app, &supplier.token, "/api/v1/offers", "before", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let deactivated = app
        .patch(
            &format!("/api/v1/users/{}", supplier.id),
            &app.admin_token,
            json!({"active": false}),
        )
        .await;
    assert_eq!(deactivated.status(), StatusCode::OK);
    let retry = keyed(&app, &supplier.token, "/api/v1/offers", "before", &body).await;
    assert!(!replayed(&retry));
    assert_problem_type(retry, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn the_bearer_scheme_is_read_in_any_case_so_no_keyed_retry_runs_twice() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let body = offer_json(json!({}));
    let send = || {
        app.client
            .post(app.url("/api/v1/offers"))
            .header("authorization", format!("bearer {}", supplier.token))
            .header("Idempotency-Key", "lower")
            .json(&body)
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let created = first.text().await.unwrap();
    let again = send().await.unwrap();
    assert!(replayed(&again), "the retry ran again");
    assert_eq!(again.text().await.unwrap(), created);
    assert_eq!(audit_count(&app, "offer.created").await, 1);
}

#[tokio::test]
async fn keys_are_each_users_own() {
    let app = TestApp::spawn().await;
    let first = app.user("supplier_bidder").await;
    let second = app.user("supplier_bidder").await;
    let body = offer_json(json!({}));
    let a = keyed(&app, &first.token, "/api/v1/offers", "shared", &body).await;
    let b = keyed(&app, &second.token, "/api/v1/offers", "shared", &body).await;
    assert_eq!(a.status(), StatusCode::CREATED);
    assert_eq!(b.status(), StatusCode::CREATED);
    assert!(!replayed(&b), "another user's answer was given out");
    let (a, b) = (json_body(a).await, json_body(b).await);
    assert_ne!(a["id"], b["id"]);
    assert_eq!(b["supplier_id"], json!(second.organisation_id));
}

#[tokio::test]
async fn concurrent_retries_make_one_change_and_each_is_told_the_outcome() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let body = offer_json(json!({}));
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let request = app
            .request(Method::POST, "/api/v1/offers", &supplier.token)
            .header("Idempotency-Key", "burst")
            .json(&body);
        attempts.spawn(request.send());
    }
    let answers = attempts.join_all().await.into_iter().map(Result::unwrap);
    let mut created = 0;
    let mut replays = 0;
    let mut in_use = 0;
    for answer in answers {
        match answer.status() {
            StatusCode::CREATED if replayed(&answer) => replays += 1,
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => {
                assert!(answer.headers().contains_key("retry-after"));
                assert_problem_type(answer, StatusCode::CONFLICT, "idempotency-key-in-use").await;
                in_use += 1;
            }
            other => panic!("unexpected {other}: {}", answer.text().await.unwrap()),
        }
    }
    assert_eq!(created, 1, "{replays} replays, {in_use} in use");
    assert_eq!(created + replays + in_use, 8);
    assert_eq!(audit_count(&app, "offer.created").await, 1);
}

#[tokio::test]
async fn a_malformed_key_is_a_bad_request_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let body = offer_json(json!({}));
    for key in ["", "\"open", "tab\there", &"k".repeat(256)] {
        let response = keyed(&app, &supplier.token, "/api/v1/offers", key, &body).await;
        assert_problem_type(response, StatusCode::BAD_REQUEST, "bad-request").await;
    }
    assert_eq!(audit_count(&app, "offer.created").await, 0);
}

#[tokio::test]
async fn a_key_on_a_read_or_without_a_token_is_ignored() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    for _ in 0..2 {
        let read = app
            .request(Method::GET, "/api/v1/offers", &supplier.token)
            .header("Idempotency-Key", "read")
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::OK);
        assert!(!replayed(&read));
    }
    let anonymous = app
        .client
        .post(app.url("/api/v1/offers"))
        .header("Idempotency-Key", "anon")
        .json(&offer_json(json!({})))
        .send()
        .await
        .unwrap();
    assert_problem_type(anonymous, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

/// The admin as the use cases see it.
async fn admin(app: &TestApp) -> Actor {
    let me = json_body(app.get("/api/v1/me", &app.admin_token).await).await;
    let uuid = |v: &Value| Uuid::parse_str(v.as_str().unwrap()).unwrap();
    Actor {
        user_id: UserId::from_uuid(uuid(&me["id"])),
        organisation_id: OrganisationId::from_uuid(uuid(&me["organisation"]["id"])),
        role: Role::Admin,
    }
}

fn organisation(name: &str) -> service::accounts::OrganisationInput {
    service::accounts::OrganisationInput {
        name: name.to_owned(),
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: None,
        authority_type: None,
        identifiers: Vec::new(),
    }
}

async fn organisation_named(app: &TestApp, name: &str) -> bool {
    let list = json_body(
        app.get(
            "/api/v1/organisations?kind=supplier&per_page=100",
            &app.admin_token,
        )
        .await,
    )
    .await;
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{list}"))
        .iter()
        .any(|o| o["name"] == name)
}

async fn execute(app: &TestApp, sql: &str) {
    app.database
        .db
        .conn()
        .execute_unprepared(sql)
        .await
        .unwrap();
}

fn answer() -> StoredResponse {
    StoredResponse {
        status: 201,
        headers: vec![("content-type".to_owned(), "application/json".to_owned())],
        body: b"{}".to_vec(),
    }
}

async fn claimed(app: &TestApp, actor: &Actor, key: &str) -> service::idempotency::Claim {
    let begun = service::idempotency::begin(
        &app.ctx(),
        actor.user_id,
        Key::parse(key).unwrap(),
        &fingerprint("POST", "/x", b""),
    )
    .await
    .unwrap();
    match begun {
        Begin::Proceed(claim) => claim,
        other => panic!("the key was not free: {other:?}"),
    }
}

/// An admin registers the organisation `name` inside the request holding `claim`.
async fn register(
    claim: &service::idempotency::Claim,
    ctx: &service::Ctx,
    actor: &Actor,
    name: &str,
) {
    claim
        .run(service::accounts::create_organisation(
            ctx,
            actor,
            &organisation(name),
        ))
        .await
        .unwrap();
}

#[tokio::test]
async fn the_answer_and_the_change_are_kept_together_or_not_at_all() {
    let app = TestApp::spawn().await;
    let ctx = app.ctx();
    let actor = admin(&app).await;

    // Stored: the change is kept with its answer.
    let claim = claimed(&app, &actor, "kept").await;
    register(&claim, &ctx, &actor, "Kept Ltd").await;
    assert!(
        !organisation_named(&app, "Kept Ltd").await,
        "the change was committed before its answer was stored"
    );
    assert!(claim.complete(&ctx, &answer()).await.unwrap());
    assert!(organisation_named(&app, "Kept Ltd").await);

    // The process died before the answer was stored: the change goes with it, and once the
    // key's lease lapses a retry runs afresh.
    let claim = claimed(&app, &actor, "died").await;
    register(&claim, &ctx, &actor, "Died Ltd").await;
    drop(claim);
    assert!(!organisation_named(&app, "Died Ltd").await);
    let retry = service::idempotency::begin(
        &ctx,
        actor.user_id,
        Key::parse("died").unwrap(),
        &fingerprint("POST", "/x", b""),
    )
    .await
    .unwrap();
    assert!(matches!(retry, Begin::InUse), "{retry:?}");
    execute(
        &app,
        "UPDATE idempotency_keys SET locked_until = created_at",
    )
    .await;
    let claim = claimed(&app, &actor, "died").await;
    register(&claim, &ctx, &actor, "Died Ltd").await;
    assert!(claim.complete(&ctx, &answer()).await.unwrap());
    assert!(organisation_named(&app, "Died Ltd").await);

    // Two commands in one request run in one transaction, stored with one answer.
    let claim = claimed(&app, &actor, "two").await;
    claim
        .run(async {
            service::accounts::create_organisation(&ctx, &actor, &organisation("One Ltd")).await?;
            service::accounts::create_organisation(&ctx, &actor, &organisation("Two Ltd")).await
        })
        .await
        .unwrap();
    assert!(!organisation_named(&app, "One Ltd").await);
    assert!(!organisation_named(&app, "Two Ltd").await);
    assert!(claim.complete(&ctx, &answer()).await.unwrap());
    assert!(organisation_named(&app, "One Ltd").await);
    assert!(organisation_named(&app, "Two Ltd").await);

    // A request that outlived its lease and lost its key to a retry keeps nothing. (The retry
    // takes the key over here before the change is made: on SQLite a takeover waits for the
    // write lock that a change holds until its answer is stored.)
    let claim = claimed(&app, &actor, "slow").await;
    execute(
        &app,
        &format!(
            "UPDATE idempotency_keys SET claim = '{}' WHERE idempotency_key = 'slow'",
            Uuid::new_v4()
        ),
    )
    .await;
    register(&claim, &ctx, &actor, "Slow Ltd").await;
    assert!(!claim.complete(&ctx, &answer()).await.unwrap());
    assert!(!organisation_named(&app, "Slow Ltd").await);
    let verify = json_body(app.get("/api/v1/audit/verify", &app.admin_token).await).await;
    assert_eq!(verify["valid"], true, "{verify}");
}

#[tokio::test]
async fn a_retry_while_the_first_runs_is_in_use_and_keys_expire_by_the_database_clock() {
    let app = TestApp::spawn().await;
    let supplier = app.user("supplier_bidder").await;
    let body = offer_json(json!({}));
    let bytes = serde_json::to_vec(&body).unwrap();
    let user = UserId::from_uuid(Uuid::parse_str(&supplier.id).unwrap());
    // The first request is still running (its key is reserved and unanswered).
    let running = service::idempotency::begin(
        &app.ctx(),
        user,
        Key::parse("busy").unwrap(),
        &fingerprint("POST", "/api/v1/offers", &bytes),
    )
    .await
    .unwrap();
    assert!(matches!(running, Begin::Proceed(_)));
    let retry = keyed(&app, &supplier.token, "/api/v1/offers", "busy", &body).await;
    assert!(retry.headers().contains_key("retry-after"));
    assert_problem_type(retry, StatusCode::CONFLICT, "idempotency-key-in-use").await;

    // An answered key, 24 hours on by the database clock, is forgotten: the same request runs
    // again, and the sweep removes what has expired.
    let first = keyed(&app, &supplier.token, "/api/v1/offers", "daily", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    execute(
        &app,
        "UPDATE idempotency_keys SET expires_at = created_at WHERE idempotency_key = 'daily'",
    )
    .await;
    let next_day = keyed(&app, &supplier.token, "/api/v1/offers", "daily", &body).await;
    assert_eq!(next_day.status(), StatusCode::CREATED);
    assert!(!replayed(&next_day));
    assert_eq!(audit_count(&app, "offer.created").await, 2);
    execute(&app, "UPDATE idempotency_keys SET expires_at = created_at").await;
    let purged = service::idempotency::purge_expired(&app.ctx())
        .await
        .unwrap();
    // The two above (and, when the suite replays every POST, the set-up's own).
    assert!(purged >= 2, "{purged}");
    let again = service::idempotency::purge_expired(&app.ctx())
        .await
        .unwrap();
    assert_eq!(again, 0);
}
