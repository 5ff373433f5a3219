//! The OpenAPI 3.1 document, generated from the handlers' annotations. The committed copy in
//! `openapi/openapi.json` is checked against it by a test.

use crate::error::{Problem, ProblemField, problem_response_components};
use crate::routes::documented_routes;
use crate::state::AppState;
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Commissioning Support Marketplace API",
        description = "The procurement marketplace where NHS commissioners buy back-office support \
services from Commissioning Support Units and other suppliers. Every error is an RFC 9457 problem \
details object (`application/problem+json`). Money is integer pence, times are UTC instants in \
RFC 3339, ids are UUIDs. Lists are paginated with `page` (from 1) and `per_page` (1 to 100, \
default 20) and answer `{items, total, page, per_page}`.",
        license(name = "MIT", identifier = "MIT")
    ),
    tags(
        (name = "auth", description = "Signing in and the signed-in user."),
        (name = "notices", description = "Public notices of the Procurement Act 2023 (UK2 to UK12), each an OCDS release: readable without a token."),
        (name = "organisations", description = "Buyers, suppliers, the regulator and the platform."),
        (name = "users", description = "User accounts and their roles."),
        (name = "catalogue", description = "Service offers: publish, price, search and compare."),
        (name = "tenders", description = "Competitive tenders, their amendments and clarification questions."),
        (name = "bids", description = "Sealed bids: nobody but the bidder reads one before the submission deadline."),
        (name = "evaluation", description = "Evaluation panels, declarations of interest, scores, exclusions and the exact ranking."),
        (name = "award", description = "Award, standstill, outcomes, challenges and the contract that follows."),
        (name = "contracts", description = "Contracts, performance reviews and supplier ratings."),
        (name = "market", description = "Market oversight for NHS England: transfers of business between suppliers, market share, concentration and competition."),
        (name = "calendar", description = "The bank-holiday calendar that standstill periods skip."),
        (name = "notifications", description = "In-app notifications to an organisation."),
        (name = "audit", description = "The append-only, hash-chained audit log."),
        (name = "operations", description = "Liveness and readiness probes."),
    ),
    // Types that appear only in query parameters are not collected from the paths.
    components(schemas(
        Problem,
        ProblemField,
        crate::routes::offers::OfferSortDto,
        crate::routes::tenders::TenderStatusDto,
        crate::routes::contracts::ContractStatusDto,
        crate::routes::market::AttributionDto,
        crate::routes::market::GroupByDto
    )),
    modifiers(&BearerSecurity)
)]
struct ApiDoc;

struct BearerSecurity;

impl Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from POST /api/v1/auth/login, sent as \
                         `Authorization: Bearer <token>`.",
                    ))
                    .build(),
            ),
        );
        for (name, response) in problem_response_components() {
            components.responses.insert(name, response);
        }
    }
}

/// The documented routes and the document that describes them, built together.
pub fn documented_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(documented_routes())
        .split_for_parts();
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    document_rate_limits(&mut document);
    document_idempotency_keys(&mut document);
    document_region_lists(&mut document);
    (router, document)
}

/// Every operation but the health probes may be refused by a rate limit: each lists its 429.
fn document_rate_limits(document: &mut utoipa::openapi::OpenApi) {
    for (path, item) in &mut document.paths.paths {
        if path == "/healthz" || path == "/readyz" {
            continue;
        }
        for operation in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            operation
                .responses
                .responses
                .entry("429".to_owned())
                .or_insert_with(|| {
                    utoipa::openapi::RefOr::Ref(utoipa::openapi::Ref::from_response_name(
                        "TooManyRequests",
                    ))
                });
        }
    }
}

/// Every signed-in POST takes an optional `Idempotency-Key` and may answer its refusals.
fn document_idempotency_keys(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{Ref, RefOr, Required};
    let key = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes the request safe to retry (IETF httpapi Idempotency-Key): a quoted string \
             (`\"…\"`, as the draft writes it) or a bare token of printable ASCII, at most 255 \
             characters, new for each new request. A retry with the same key, method, path and \
             body within 24 hours, by the same user, is given the first answer again (same status \
             and body, with `Idempotency-Replayed: true`) and changes nothing; answers from a \
             failure on the service's side (5xx), 401 and 429 are not kept. The same key with a \
             different request is 422 `idempotency-key-mismatch`; a retry while the first is \
             still running is 409 `idempotency-key-in-use`.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(257))
                .pattern(Some(
                    r#"^(?:"[ !#-\[\]-~]{1,255}"|[!#-\[\]-~](?:[ !#-\[\]-~]{0,253}[!#-\[\]-~])?)$"#,
                )),
        ))
        .build();
    for item in document.paths.paths.values_mut() {
        let Some(operation) = item.post.as_mut() else {
            continue;
        };
        // Signing in has no user to keep its keys: only operations that require the token.
        let signed_in = operation.security.iter().flatten().any(|requirement| {
            serde_json::to_value(requirement).is_ok_and(|value| value.get("bearer").is_some())
        });
        if !signed_in {
            continue;
        }
        operation
            .parameters
            .get_or_insert_with(Vec::new)
            .push(RefOr::T(key.clone()));
        for (status, name) in [
            ("400", "BadRequest"),
            ("409", "IdempotencyKeyInUse"),
            ("422", "IdempotencyKeyMismatch"),
        ] {
            operation
                .responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
        }
    }
}

/// An offer names each region it serves once: its region lists are sets (utoipa marks only
/// set types so, and a set type would quietly drop a repeated region rather than refuse it).
fn document_region_lists(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ArrayItems, Schema};
    let Some(components) = document.components.as_mut() else {
        return;
    };
    for name in ["CreateOfferRequest", "UpdateOfferRequest"] {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name)
            && let Some(RefOr::T(Schema::Array(regions))) = object.properties.get_mut("regions")
            && !matches!(regions.items, ArrayItems::False)
        {
            regions.unique_items = true;
        }
    }
}

/// The OpenAPI document.
pub fn document() -> utoipa::openapi::OpenApi {
    documented_router().1
}

/// The document as the pretty JSON committed in `openapi/openapi.json`.
pub fn document_json() -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(&document())?;
    text.push('\n');
    Ok(text)
}
