//! The service catalogue: suppliers create, price, publish and withdraw their offers; everyone
//! signed in searches and compares published ones.

use crate::auth::AuthUser;
use crate::concurrency::{IfMatch, etag_header};
use crate::dto::{OfferStatusDto, Paginated, PricingUnitDto, RegionDto};
use crate::error::{ApiError, Conflict, Forbidden, NotFound, PreconditionFailed, Unauthorized};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::routes::contracts::RatingResponse;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use chrono::{DateTime, Utc};
use domain::access::Actor;
use domain::ids::{OfferId, OrganisationId};
use domain::offer::{self, AnnualisationBasis, OfferFields};
use domain::organisation::Region;
use serde::{Deserialize, Serialize};
use service::offers::{ListingView, OfferMove, OfferQuery, OfferView, SortOrder};
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
    /// The framework whose catalogue lists it (its supplier holds a place on it).
    pub framework_id: Option<Uuid>,
    /// The framework's lot it is listed on.
    pub lot_id: Option<Uuid>,
}

impl From<OfferView> for OfferResponse {
    fn from(o: OfferView) -> Self {
        Self {
            id: o.id.as_uuid(),
            supplier_id: o.supplier_id.as_uuid(),
            supplier_name: o.supplier_name,
            category: o.category,
            title: o.title,
            summary: o.summary,
            description: o.description,
            regions: o.regions.into_iter().map(Into::into).collect(),
            pricing_unit: o.pricing_unit.into(),
            unit_price_pence: o.unit_price_pence,
            price_label: o.price_label,
            price_effective_from: o.price_effective_from,
            minimum_term_months: o.minimum_term_months,
            status: o.status.into(),
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
            published_at: o.published_at,
            withdrawn_at: o.withdrawn_at,
            framework_id: o.framework_id.map(|f| f.as_uuid()),
            lot_id: o.framework_lot_id.map(|l| l.as_uuid()),
        }
    }
}

type Created = (
    StatusCode,
    [(HeaderName, HeaderValue); 2],
    Json<OfferResponse>,
);

type Tagged = ([(HeaderName, HeaderValue); 1], Json<OfferResponse>);

fn tagged(offer: OfferView) -> Tagged {
    ([etag_header(offer.version)], Json(offer.into()))
}
