//! Frameworks as everyone signed in reads them: each agreement's lots, the suppliers holding a
//! place on each, its term and whether it is active by the database clock.

use crate::awards::{FrameworkView, framework_view};
use crate::{Ctx, ServiceError};
use domain::DomainError;
use domain::calendar::uk_date;
use domain::ids::FrameworkId;

/// Every framework agreement, the latest entered first.
pub async fn list(ctx: &Ctx) -> Result<Vec<FrameworkView>, ServiceError> {
    let today = uk_date(ctx.now().await?);
    let conn = ctx.db().conn();
    let mut shown = Vec::new();
    for framework in persistence::frameworks::list(conn, today).await? {
        shown.push(framework_view(conn, framework, today).await?);
    }
    Ok(shown)
}

/// One framework agreement.
pub async fn get(ctx: &Ctx, id: FrameworkId) -> Result<FrameworkView, ServiceError> {
    let today = uk_date(ctx.now().await?);
    let conn = ctx.db().conn();
    let framework = persistence::frameworks::find(conn, id, today)
        .await?
        .ok_or(DomainError::NotFound("framework"))?;
    framework_view(conn, framework, today).await
}
