//! The service catalogue: suppliers create, price, publish and withdraw their offers; everyone
//! signed in searches and compares published ones.

use crate::auth::AuthUser;
use crate::concurrency::{IfMatch, etag_header};
use crate::dto::{OfferStatusDto, Paginated, PricingUnitDto, RegionDto};
use crate::error::{
    ApiError, BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed,
    PreconditionRequired, Unauthorized, UnsupportedMediaType, ValidationFailed,
};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::routes::contracts::RatingResponse;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use chrono::{DateTime, Utc};
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::error::Validator;
use domain::ids::{OfferId, OrganisationId};
use domain::offer::{
    self, AnnualisationBasis, NewOffer, Offer, OfferChange, OfferFields, OfferStatus, RegionSet,
};
use domain::organisation::Region;
use domain::pagination::PageRequest;
use domain::user::Role;
use domain::{DomainError, FieldError};
use persistence::Command;
use persistence::offers::{OfferListing, OfferSearch, OfferSort, PricePoint};
use serde::{Deserialize, Deserializer, Serialize};
use service::contracts::Rating;
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

mod manage;
mod read;
mod search;

pub use manage::*;
pub use read::*;
pub use search::*;

/// A service offer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Offer)]
pub struct OfferResponse {
    /// The offer's id.
    pub id: Uuid,
    /// The supplier organisation that makes it.
    pub supplier_id: Uuid,
    /// The supplier's name.
    pub supplier_name: String,
    /// The service category's code.
    pub category: String,
    /// A short title.
    pub title: String,
    /// One or two sentences shown in search results.
    pub summary: String,
    /// The full description of the service.
    pub description: String,
    /// The NHS England regions served.
    pub regions: Vec<RegionDto>,
    /// How the price is expressed.
    pub pricing_unit: PricingUnitDto,
    /// The unit price in pence (the price in force at `at`, when asked).
    pub unit_price_pence: i64,
    /// The unit price as a buyer reads it, such as `£650.00 per day`.
    pub price_label: String,
    /// When the price shown took effect; null for a draft, whose price is not yet offered.
    pub price_effective_from: Option<DateTime<Utc>>,
    /// The shortest contract term accepted, in months.
    pub minimum_term_months: Option<i32>,
    /// draft, published or withdrawn.
    pub status: OfferStatusDto,
    /// The version; also sent as the `ETag` header.
    pub version: i32,
    /// When the offer was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it was published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was withdrawn.
    pub withdrawn_at: Option<DateTime<Utc>>,
}

fn regions_of(set: RegionSet) -> Vec<RegionDto> {
    set.regions().into_iter().map(Into::into).collect()
}

fn response(offer: Offer, supplier_name: String, price: Option<&PricePoint>) -> OfferResponse {
    let (unit, pence) = price.map_or((offer.pricing_unit, offer.unit_price_pence), |p| {
        (p.pricing_unit, p.unit_price_pence)
    });
    OfferResponse {
        id: offer.id.as_uuid(),
        supplier_id: offer.supplier_id.as_uuid(),
        supplier_name,
        category: offer.category,
        title: offer.title,
        summary: offer.summary,
        description: offer.description,
        regions: regions_of(offer.regions),
        pricing_unit: unit.into(),
        unit_price_pence: pence,
        price_label: offer::price_label(unit, pence),
        price_effective_from: price.map(|p| p.effective_from),
        minimum_term_months: offer.minimum_term_months,
        status: offer.status.into(),
        version: offer.version,
        created_at: offer.created_at,
        updated_at: offer.updated_at,
        published_at: offer.published_at,
        withdrawn_at: offer.withdrawn_at,
    }
}

async fn supplier_name<C: sea_orm::ConnectionTrait>(
    conn: &C,
    id: OrganisationId,
) -> Result<String, ApiError> {
    Ok(persistence::organisations::get(conn, id).await?.name)
}

/// The offer as `actor` sees it now: with its supplier's name and the price in force.
async fn present<C: sea_orm::ConnectionTrait>(
    conn: &C,
    offer: Offer,
    now: DateTime<Utc>,
) -> Result<OfferResponse, ApiError> {
    let name = supplier_name(conn, offer.supplier_id).await?;
    let price = match offer.status {
        OfferStatus::Draft => None,
        _ => persistence::offers::price_at(conn, offer.id, now).await?,
    };
    Ok(response(offer, name, price.as_ref()))
}

fn audit_value(offer: &OfferResponse) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(offer).map_err(ApiError::internal)
}

type Created = (
    StatusCode,
    [(HeaderName, HeaderValue); 2],
    Json<OfferResponse>,
);

type Tagged = ([(HeaderName, HeaderValue); 1], Json<OfferResponse>);

fn tagged(offer: OfferResponse) -> Tagged {
    ([etag_header(offer.version)], Json(offer))
}

async fn check_category<C: sea_orm::ConnectionTrait>(conn: &C, code: &str) -> Result<(), ApiError> {
    if persistence::reference::category_exists(conn, code).await? {
        Ok(())
    } else {
        Err(DomainError::field("/category", "is not a known category code").into())
    }
}

/// Loads an offer `actor` may see; 404 otherwise.
async fn visible_offer<C: sea_orm::ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<Offer, ApiError> {
    persistence::offers::find(conn, OfferId::from_uuid(id))
        .await?
        .filter(|o| offer::can_view_offer(actor, o.supplier_id, o.status))
        .ok_or_else(|| DomainError::NotFound("offer").into())
}
