//! The audit log, for the regulator and admins: read it a page at a time, and verify its hash
//! chain. Entries are written by the commands themselves, in their transactions.

use crate::{Ctx, ServiceError};
use domain::FieldError;
use domain::access::{Actor, PlatformAction};
use domain::audit::ChainReport;
use domain::error::Validator;
use domain::pagination::{Page, PageRequest};
use persistence::audit::{AuditFilter, StoredAuditEvent};

/// Entries matching `filter`, newest first (the regulator and admins).
pub async fn list(
    ctx: &Ctx,
    actor: &Actor,
    filter: AuditFilter,
    page: Result<PageRequest, domain::DomainError>,
) -> Result<Page<StoredAuditEvent>, ServiceError> {
    actor.require(PlatformAction::ReadAudit)?;
    let mut v = Validator::new();
    let page = v.check(page);
    for (name, value, max) in [
        ("entity_type", &filter.entity_type, 50),
        ("entity_id", &filter.entity_id, 100),
        ("action", &filter.action, 100),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > max) {
            v.push(FieldError::new(
                format!("/{name}"),
                format!("must be at most {max} characters"),
            ));
        }
    }
    v.finish()?;
    let page = page.unwrap_or_default();
    Ok(persistence::audit::list(ctx.db().conn(), &filter, page).await?)
}

/// Walks the whole chain and says whether every entry matches its hash (the regulator and
/// admins).
pub async fn verify(ctx: &Ctx, actor: &Actor) -> Result<ChainReport, ServiceError> {
    actor.require(PlatformAction::ReadAudit)?;
    Ok(persistence::audit::verify(ctx.db().conn()).await?)
}
