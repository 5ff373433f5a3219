//! What every signed-in user may read to fill in a form: the catalogue's categories, NHS
//! England's regions, and the directory of suppliers.

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
    let filter = OrganisationFilter {
        kind: Some(OrganisationKind::Supplier),
    };
    let page = PageRequest::new(Some(1), Some(100))?;
    let found = persistence::organisations::list(ctx.db().conn(), &filter, page).await?;
    Ok(found
        .items
        .into_iter()
        .filter(|o| !trading || o.is_trading_supplier())
        .collect())
}
