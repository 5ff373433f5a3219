//! Competition indicators: tenders, bids per tender, single-bid and failure rates.

use super::*;

/// The EU Single Market Scoreboard band of a single-bid rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ScoreboardBand)]
pub enum BandDto {
    /// 10% or less.
    Green,
    /// Above 10%, up to 20%.
    Amber,
    /// Above 20%.
    Red,
    /// No tender has closed with bids.
    NotApplicable,
}

impl From<market::ScoreboardBand> for BandDto {
    fn from(b: market::ScoreboardBand) -> Self {
        match b {
            market::ScoreboardBand::Green => Self::Green,
            market::ScoreboardBand::Amber => Self::Amber,
            market::ScoreboardBand::Red => Self::Red,
            market::ScoreboardBand::NotApplicable => Self::NotApplicable,
        }
    }
}

/// How competitive tendering is. Rates are percentages to 2 places, null with nothing to rate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CompetitionResponse {
    /// Tenders published in the period (`from`/`to` filter the publication date).
    pub tenders_published: i64,
    /// Of those, closed (deadline passed, not cancelled).
    pub tenders_closed: i64,
    /// Mean live bids per closed tender.
    pub mean_bids_per_tender: Option<f64>,
    /// Median live bids per closed tender (nearest rank).
    pub median_bids_per_tender: Option<i64>,
    /// Closed tenders with exactly one bid, percent of those closed with any bid.
    pub single_bid_rate_percent: Option<f64>,
    /// The EU Single Market Scoreboard band: green ≤ 10%, red > 20%.
    pub single_bid_band: BandDto,
    /// Cancelled, percent of published.
    pub cancelled_rate_percent: Option<f64>,
    /// Unsuccessful, percent of published.
    pub unsuccessful_rate_percent: Option<f64>,
    /// Mean days from publication to the submission deadline.
    pub mean_tender_period_days: Option<f64>,
    /// Tenders with a submission period under 15 days, percent of published.
    pub short_period_rate_percent: Option<f64>,
    /// Awards in force.
    pub awards: i64,
    /// Awards to a bid other than the top-ranked, percent of awards.
    pub awarded_other_than_top_percent: Option<f64>,
}

/// Competition indicators: tenders, bids per tender, the single-bid rate and its Scoreboard
/// band, cancelled and unsuccessful rates, tender periods, and awards away from the top-ranked.
#[utoipa::path(
    get,
    path = "/market/competition",
    tag = "market",
    security(("bearer" = [])),
    params(MarketQuery),
    responses(
        (status = 200, description = "The indicators.", content(
            (CompetitionResponse = "application/json"),
            (String = "text/csv"),
        )),
        crate::error::FilteredReadProblems,
    )
)]
pub async fn market_competition(figures: FiguresRequest) -> Result<Response, ApiError> {
    let view =
        service::market::competition(&figures.state.ctx, &figures.actor, &figures.ask).await?;
    figures.answer(view, |v| Ok(v.table()?), CompetitionResponse::from)
}

impl From<CompetitionView> for CompetitionResponse {
    fn from(view: CompetitionView) -> Self {
        Self {
            tenders_published: view.tenders_published,
            tenders_closed: view.tenders_closed,
            mean_bids_per_tender: view.mean_bids_per_tender,
            median_bids_per_tender: view.median_bids_per_tender,
            single_bid_rate_percent: view.single_bid_rate_percent,
            single_bid_band: view.single_bid_band.into(),
            cancelled_rate_percent: view.cancelled_rate_percent,
            unsuccessful_rate_percent: view.unsuccessful_rate_percent,
            mean_tender_period_days: view.mean_tender_period_days,
            short_period_rate_percent: view.short_period_rate_percent,
            awards: view.awards,
            awarded_other_than_top_percent: view.awarded_other_than_top_percent,
        }
    }
}
