//! The award: to the top-ranked bid, or another with a justification, starting the standstill.

use super::*;

/// The award.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardRequest {
    /// The bid to award (a contract); the lot it is on, on a divided tender.
    pub bid_id: Option<Uuid>,
    /// A framework's award: the bids whose suppliers it admits, up to its `max_suppliers`,
    /// all on one lot of a divided framework.
    #[schema(max_items = 50)]
    pub bid_ids: Option<Vec<Uuid>>,
    /// Why, when the bid is not the top-ranked: required then, 1 to 5000 characters.
    #[schema(max_length = 5000)]
    pub justification: Option<String>,
}

/// An award and its standstill.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Award)]
pub struct AwardResponse {
    /// The award's id.
    pub id: Uuid,
    /// The tender.
    pub tender_id: Uuid,
    /// The lot awarded; absent on an undivided tender.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lot_id: Option<Uuid>,
    /// The winning bid.
    pub bid_id: Uuid,
    /// The winner.
    pub supplier_id: Uuid,
    /// The winner's name.
    pub supplier_name: String,
    /// The winning bid's rank when awarded (1 unless the lead justified another).
    pub rank: i32,
    /// Why a bid other than the top-ranked was awarded; shown to the buyer, the regulator and
    /// admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// When it was awarded, by the database clock.
    pub awarded_at: DateTime<Utc>,
    /// The standstill's last working day (UK date); null when the tender has no standstill.
    pub standstill_last_day: Option<NaiveDate>,
    /// When the standstill is over: UK midnight after its last day (or the award itself with a
    /// standstill of 0 days). Challenges are lodged before it, the contract entered after it.
    pub standstill_ends_at: DateTime<Utc>,
    /// When every assessed bidder was sent its assessment summary (s.50(3)).
    pub assessment_summaries_sent_at: Option<DateTime<Utc>>,
    /// `standstill`, `contracted` or `cancelled`.
    pub status: String,
}

impl From<awards_service::AwardView> for AwardResponse {
    fn from(a: awards_service::AwardView) -> Self {
        Self {
            id: a.id,
            tender_id: a.tender_id.as_uuid(),
            lot_id: a.lot_id.map(|l| l.as_uuid()),
            bid_id: a.bid_id.as_uuid(),
            supplier_id: a.supplier_id.as_uuid(),
            supplier_name: a.supplier_name,
            rank: a.rank,
            justification: a.justification,
            awarded_at: a.awarded_at,
            standstill_last_day: a.standstill_last_day,
            standstill_ends_at: a.standstill_ends_at,
            assessment_summaries_sent_at: a.assessment_summaries_sent_at,
            status: a.status.to_owned(),
        }
    }
}

/// Awards the tender to a bid (the tender's lead, in evaluation, once scoring is complete): the
/// top-ranked, or another with a written justification. Starts the standstill; every bidder is
/// notified. Of concurrent awards exactly one succeeds; the others get 409.
#[utoipa::path(
    post,
    path = "/tenders/{id}/award",
    tag = "award",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = AwardRequest,
    responses(
        (status = 201, description = "The award (a framework's: one per admitted supplier); the tender or lot is in standstill.", body = Awarded),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = Conflict),
    )
)]
pub async fn award_tender(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<AwardRequest>, ApiError>,
) -> Result<(StatusCode, Json<Awarded>), ApiError> {
    let JsonBody(request) = body?;
    let tender = TenderId::from_uuid(id);
    let justification = request.justification.as_deref();
    let awarded = match (request.bid_id, request.bid_ids) {
        (Some(bid), None) => Awarded::Contract(
            awards_service::award(
                &state.ctx,
                &actor,
                tender,
                BidId::from_uuid(bid),
                justification,
            )
            .await?
            .into(),
        ),
        (None, Some(bids)) => {
            let bids: Vec<BidId> = bids.into_iter().map(BidId::from_uuid).collect();
            let awards =
                awards_service::award_framework(&state.ctx, &actor, tender, &bids, justification)
                    .await?;
            Awarded::Framework(FrameworkAwardResponse {
                awards: awards.into_iter().map(Into::into).collect(),
            })
        }
        _ => {
            return Err(ApiError::Validation(vec![domain::FieldError::new(
                "/bid_id",
                "give bid_id (a contract) or bid_ids (a framework), one of them",
            )]));
        }
    };
    Ok((StatusCode::CREATED, Json(awarded)))
}

/// A framework's award: one per admitted supplier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkAwardResponse {
    /// The awards, in the order the bids were named.
    pub awards: Vec<AwardResponse>,
}

/// The award of a contract, or of a framework's places.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Awarded {
    Contract(AwardResponse),
    Framework(FrameworkAwardResponse),
}
