//! Frameworks (Procurement Act 2023 s.45–47): the terms a framework tender is drafted with, and
//! the framework agreements entered after its award, which everyone signed in may read.

use crate::auth::AuthUser;
use crate::dto::RegionDto;
use crate::error::ApiError;
use crate::extract::PathParams;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use domain::framework::{EligibleBuyers, FrameworkTerms, NewFrameworkTerms};
use domain::ids::{FrameworkId, OrganisationId};
use serde::{Deserialize, Serialize};
use service::awards::FrameworkView;
use utoipa::ToSchema;
use uuid::Uuid;

mirror_enum!(
    /// How a framework's buyers award contracts under it: `direct_award` (without competition,
    /// under the framework's objective rule, s.45(4)) or `competitive_selection` (among the
    /// framework's suppliers, s.46).
    CallOffMethodDto as CallOffMethod mirrors domain::framework::CallOffMethod {
        DirectAward = "direct_award",
        CompetitiveSelection = "competitive_selection",
    }
);

mirror_enum!(
    /// The objective mechanism a direct award call-off follows: `lowest_annual_price` (the
    /// framework offer with the lowest annual price at the buyer's volumes; another only with
    /// the buyer's written reason why each cheaper offer does not meet its stated need).
    DirectAwardRuleDto as DirectAwardRule mirrors domain::framework::DirectAwardRule {
        LowestAnnualPrice = "lowest_annual_price",
    }
);

mirror_enum!(
    /// A framework agreement is `active` through its last day, then `expired`.
    FrameworkStatusDto as FrameworkStatus mirrors domain::framework::FrameworkStatus {
        Active = "active",
        Expired = "expired",
    }
);

/// Every buyer in the marketplace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum AllBuyers {
    #[serde(rename = "all_buyers")]
    AllBuyers,
}

/// The buyers entitled to call off (s.45(5)(f)): `"all_buyers"`, or a list of buyer
/// organisation ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum EligibleBuyersDto {
    All(AllBuyers),
    Listed(Vec<Uuid>),
}

/// A framework's terms as the buyer writes them.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrameworkTermsInput {
    /// The most suppliers admitted (on each lot of a divided framework), 1 to 50.
    #[schema(minimum = 1, maximum = 50, example = 4)]
    pub max_suppliers: i64,
    /// The framework's term in months: at most 48 (s.47).
    #[schema(minimum = 1, maximum = 48, example = 48)]
    pub term_months: i64,
    /// How buyers may call off.
    #[schema(min_items = 1, max_items = 2)]
    pub call_off_methods: Vec<CallOffMethodDto>,
    /// Required when call-offs may be direct awards.
    pub direct_award_rule: Option<DirectAwardRuleDto>,
    /// Who may call off.
    pub eligible_buyers: EligibleBuyersDto,
}

impl From<&FrameworkTermsInput> for NewFrameworkTerms {
    fn from(t: &FrameworkTermsInput) -> Self {
        Self {
            max_suppliers: t.max_suppliers,
            term_months: t.term_months,
            call_off_methods: t.call_off_methods.iter().map(|m| (*m).into()).collect(),
            direct_award_rule: t.direct_award_rule.map(Into::into),
            eligible_buyers: match &t.eligible_buyers {
                EligibleBuyersDto::All(_) => None,
                EligibleBuyersDto::Listed(ids) => {
                    Some(ids.iter().copied().map(OrganisationId::from_uuid).collect())
                }
            },
        }
    }
}

/// A framework's terms.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkTermsResponse {
    /// The most suppliers admitted (on each lot).
    pub max_suppliers: u8,
    /// The term in months.
    pub term_months: u8,
    /// How buyers may call off.
    pub call_off_methods: Vec<CallOffMethodDto>,
    /// The objective rule of a direct award call-off.
    pub direct_award_rule: Option<DirectAwardRuleDto>,
    /// Who may call off.
    pub eligible_buyers: EligibleBuyersDto,
}

impl From<&FrameworkTerms> for FrameworkTermsResponse {
    fn from(t: &FrameworkTerms) -> Self {
        Self {
            max_suppliers: t.max_suppliers,
            term_months: t.term_months,
            call_off_methods: t.call_off_methods.iter().map(|m| (*m).into()).collect(),
            direct_award_rule: t.direct_award_rule.map(Into::into),
            eligible_buyers: match &t.eligible_buyers {
                EligibleBuyers::All => EligibleBuyersDto::All(AllBuyers::AllBuyers),
                EligibleBuyers::Listed(ids) => {
                    EligibleBuyersDto::Listed(ids.iter().map(|i| i.as_uuid()).collect())
                }
            },
        }
    }
}

/// A supplier's place on a framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkPlaceResponse {
    /// The lot (absent on an undivided framework).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot_id: Option<Uuid>,
    /// Who holds the place now.
    pub supplier_id: Uuid,
    /// Its name.
    pub supplier_name: String,
    /// Who won it (another supplier when a takeover moved it).
    pub awarded_supplier_id: Uuid,
    /// The award that admitted it.
    pub award_id: Uuid,
    /// When it was admitted.
    pub joined_at: DateTime<Utc>,
}

/// One lot of a divided framework, with the suppliers on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkLotResponse {
    /// The lot's id.
    pub id: Uuid,
    /// Its number.
    pub number: i32,
    /// Its title.
    pub title: String,
    /// The suppliers holding a place on it.
    pub suppliers: Vec<FrameworkPlaceResponse>,
}

/// A framework agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Framework)]
pub struct FrameworkResponse {
    /// The framework's id.
    pub id: Uuid,
    /// The tender that procured it.
    pub tender_id: Uuid,
    /// The buyer that procured it (for example NHS England).
    pub buyer_id: Uuid,
    /// The buyer's name.
    pub buyer_name: String,
    /// Its title.
    pub title: String,
    /// The service category.
    pub category: String,
    /// The region.
    pub region: RegionDto,
    /// Its first day.
    pub start_date: NaiveDate,
    /// Its last day (at most four years on, s.47).
    pub end_date: NaiveDate,
    /// `active` through its last day by the database clock, then `expired`.
    pub status: FrameworkStatusDto,
    /// Its terms.
    pub terms: FrameworkTermsResponse,
    /// Its lots with the suppliers on each; empty when it is not divided.
    pub lots: Vec<FrameworkLotResponse>,
    /// Every place in force, on whichever lot.
    pub suppliers: Vec<FrameworkPlaceResponse>,
    /// The contracts called off under it, the earliest first (each published in a contract
    /// award notice; a call-off not yet awarded is its buyer's alone).
    pub call_offs: Vec<FrameworkCallOffResponse>,
    /// The total value of those contracts, in pence.
    pub call_offs_value_pence: i64,
}

/// A contract called off under a framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkCallOffResponse {
    /// The call-off it was awarded by.
    pub call_off_id: Option<Uuid>,
    /// The contract.
    pub contract_id: Uuid,
    /// The lot it was called off from, on a divided framework.
    pub lot_id: Option<Uuid>,
    pub buyer_id: Uuid,
    pub buyer_name: String,
    /// Who holds it now (the acquirer, after a takeover).
    pub supplier_id: Uuid,
    pub supplier_name: String,
    pub title: String,
    /// Its total value, in pence.
    pub total_value_pence: i64,
    pub awarded_at: DateTime<Utc>,
}

impl From<FrameworkView> for FrameworkResponse {
    fn from(view: FrameworkView) -> Self {
        let place = |(p, name): &(persistence::frameworks::Place, String)| FrameworkPlaceResponse {
            lot_id: p.lot_id.map(|l| l.as_uuid()),
            supplier_id: p.supplier_id.as_uuid(),
            supplier_name: name.clone(),
            awarded_supplier_id: p.awarded_supplier_id.as_uuid(),
            award_id: p.award_id,
            joined_at: p.joined_at,
        };
        let f = &view.framework;
        Self {
            id: f.id.as_uuid(),
            tender_id: f.tender_id.as_uuid(),
            buyer_id: f.buyer_id.as_uuid(),
            buyer_name: view.buyer_name.clone(),
            title: f.title.clone(),
            category: f.category.clone(),
            region: f.region.into(),
            start_date: f.start_date,
            end_date: f.end_date,
            status: f.status.into(),
            terms: (&view.terms).into(),
            lots: view
                .lots
                .iter()
                .map(|lot| FrameworkLotResponse {
                    id: lot.id.as_uuid(),
                    number: lot.number,
                    title: lot.title.clone(),
                    suppliers: view
                        .places
                        .iter()
                        .filter(|(p, _)| p.lot_id == Some(lot.id))
                        .map(place)
                        .collect(),
                })
                .collect(),
            suppliers: view.places.iter().map(place).collect(),
            call_offs_value_pence: view.call_offs_value_pence(),
            call_offs: view
                .call_offs
                .iter()
                .map(|c| FrameworkCallOffResponse {
                    call_off_id: c.contract.terms.call_off_id.map(|id| id.as_uuid()),
                    contract_id: c.contract.id,
                    lot_id: c.contract.terms.lot_id.map(|l| l.as_uuid()),
                    buyer_id: c.contract.terms.buyer_id.as_uuid(),
                    buyer_name: c.buyer_name.clone(),
                    supplier_id: c.contract.supplier_id.as_uuid(),
                    supplier_name: c.supplier_name.clone(),
                    title: c.contract.terms.title.clone(),
                    total_value_pence: c.contract.terms.total_value_pence,
                    awarded_at: c.contract.terms.awarded_at,
                })
                .collect(),
        }
    }
}

/// Framework agreements.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkList {
    /// The latest entered first.
    pub items: Vec<FrameworkResponse>,
}

/// Every framework agreement, with its lots, suppliers per lot, term and state (everyone signed
/// in).
#[utoipa::path(
    get,
    path = "/frameworks",
    tag = "frameworks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The frameworks.", body = FrameworkList),
        (status = 401, response = crate::error::Unauthorized),
    )
)]
pub async fn list_frameworks(
    State(state): State<AppState>,
    AuthUser(_actor): AuthUser,
) -> Result<Json<FrameworkList>, ApiError> {
    let items = service::frameworks::list(&state.ctx).await?;
    Ok(Json(FrameworkList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// One framework agreement (everyone signed in).
#[utoipa::path(
    get,
    path = "/frameworks/{id}",
    tag = "frameworks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The framework's id.")),
    responses(
        (status = 200, description = "The framework.", body = FrameworkResponse),
        crate::error::AccessProblems,
    )
)]
pub async fn get_framework(
    State(state): State<AppState>,
    AuthUser(_actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<FrameworkResponse>, ApiError> {
    let shown = service::frameworks::get(&state.ctx, FrameworkId::from_uuid(id)).await?;
    Ok(Json(shown.into()))
}
