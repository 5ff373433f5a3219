//! The public OCDS feed: every release ever published (one per notice), in the order published,
//! and a contracting process's record, its releases with the compiled release merged from them.

use super::*;
use domain::pagination::Page;
use persistence::notices::NoticeFilter;

/// One page of every release published, oldest first, and the instant they were read at.
pub async fn published_releases(
    ctx: &Ctx,
    page: PageRequest,
) -> Result<(Page<Value>, DateTime<Utc>), ServiceError> {
    let now = ctx.now().await?;
    let found = persistence::notices::list(
        ctx.db().conn(),
        &NoticeFilter {
            oldest_first: true,
            ..NoticeFilter::default()
        },
        page,
    )
    .await?;
    Ok((
        Page {
            items: found
                .items
                .into_iter()
                .map(|n| presented(ctx, n.release))
                .collect(),
            total: found.total,
            total_exact: found.total_exact,
            page: found.page,
            per_page: found.per_page,
        },
        now,
    ))
}

/// A contracting process's record: its ocid, every release in the order published, and the
/// compiled release.
#[derive(Debug, Clone)]
pub struct Record {
    pub ocid: String,
    pub releases: Vec<Value>,
    pub compiled_release: Value,
}

/// The record of `ocid` (this marketplace's prefix and a process id); 404 for any other.
pub async fn record(ctx: &Ctx, ocid: &str) -> Result<(Record, DateTime<Utc>), ServiceError> {
    let now = ctx.now().await?;
    let process = ocid
        .strip_prefix(ctx.config().ocid_prefix.as_str())
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|id| uuid::Uuid::parse_str(id).ok())
        .ok_or(DomainError::NotFound("record"))?;
    let notices = persistence::notices::of_process(ctx.db().conn(), process).await?;
    if notices.is_empty() {
        return Err(DomainError::NotFound("record").into());
    }
    let releases: Vec<Value> = notices
        .into_iter()
        .map(|n| presented(ctx, n.release))
        .collect();
    Ok((
        Record {
            ocid: ocid.to_owned(),
            compiled_release: compile(&releases),
            releases,
        },
        now,
    ))
}
