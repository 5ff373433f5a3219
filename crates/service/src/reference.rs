//! What every signed-in user may read to fill in a form: the catalogue's categories, NHS
//! England's regions, and the directories of suppliers and buyers.

use crate::{Ctx, ServiceError};
use domain::organisation::{Organisation, OrganisationKind};
use domain::pagination::PageRequest;
use persistence::organisations::OrganisationFilter;
use persistence::reference::ReferenceItem;

/// The catalogue's service categories.
pub async fn categories(ctx: &Ctx) -> Result<Vec<ReferenceItem>, ServiceError> {
    Ok(persistence::reference::categories(ctx.db().conn()).await?)
}

/// NHS England's regions.
pub async fn regions(ctx: &Ctx) -> Result<Vec<ReferenceItem>, ServiceError> {
    Ok(persistence::reference::regions(ctx.db().conn()).await?)
}

/// Every supplier organisation (merged ones too: a catalogue can be searched by a past
/// supplier's name), by name; only those still trading when `trading` is set.
pub async fn suppliers(ctx: &Ctx, trading: bool) -> Result<Vec<Organisation>, ServiceError> {
    let found = of_kind(ctx, OrganisationKind::Supplier).await?;
    Ok(found
        .into_iter()
        .filter(|o| !trading || o.is_trading_supplier())
        .collect())
}

/// The buyer organisations in the marketplace today (a CCG succeeded by an ICB is not), by
/// name: those a framework may name as entitled to call off.
pub async fn buyers(ctx: &Ctx) -> Result<Vec<Organisation>, ServiceError> {
    let found = of_kind(ctx, OrganisationKind::Buyer).await?;
    Ok(found
        .into_iter()
        .filter(|o| o.successor_id.is_none())
        .collect())
}

async fn of_kind(ctx: &Ctx, kind: OrganisationKind) -> Result<Vec<Organisation>, ServiceError> {
    let filter = OrganisationFilter { kind: Some(kind) };
    let page = PageRequest::new(Some(1), Some(100))?;
    Ok(
        persistence::organisations::list(ctx.db().conn(), &filter, page)
            .await?
            .items,
    )
}
