//! Tender lists: the domain's audience rule and the filters as one SQL query, with the state in force computed by the database.

use super::*;

/// Who a tender list is for: the domain's rule, turned into SQL by `push_listing_query`.
pub use domain::tender::TenderAudience;

/// A tender list's filters.
#[derive(Debug, Clone, Default)]
pub struct TenderFilter {
    /// The state in force, by the database clock.
    pub status: Option<TenderStatus>,
    pub category: Option<String>,
    pub region: Option<Region>,
    pub buyer: Option<OrganisationId>,
    /// Leave drafts out (a buyer's own list includes them otherwise).
    pub published_only: bool,
}

/// One line of a tender list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderListing {
    pub id: TenderId,
    pub buyer_id: OrganisationId,
    pub buyer_name: String,
    pub title: String,
    pub category: String,
    pub region: Region,
    pub procedure: Procedure,
    pub estimated_value_pence: i64,
    pub clarification_deadline: DateTime<Utc>,
    pub submission_deadline: DateTime<Utc>,
    pub status: TenderStatus,
    pub published_at: Option<DateTime<Utc>>,
}

/// `t.*`'s state in force at the bound instant: the database's own rule for the clock-driven
/// close, the same as [`TenderStatus::at`].
pub(crate) fn push_status_in_force(sql: &mut Sql, now: DateTime<Utc>) {
    sql.push("CASE WHEN t.status = 'published' AND t.submission_deadline <= ")
        .bind(now)
        .push(
            " THEN CASE WHEN EXISTS (SELECT 1 FROM bids b WHERE b.tender_id = t.id \
             AND b.status = 'submitted') THEN 'evaluation' ELSE 'unsuccessful' END \
             ELSE t.status END",
        );
}

pub(crate) fn push_listing_query(
    sql: &mut Sql,
    audience: TenderAudience,
    filter: &TenderFilter,
    now: DateTime<Utc>,
) {
    sql.push(
        "SELECT t.id, t.buyer_id, org.name AS buyer_name, t.title, t.category_code, t.region, \
         t.procedure, t.estimated_value_pence, t.clarification_deadline, t.submission_deadline, \
         t.published_at, ",
    );
    push_status_in_force(sql, now);
    sql.push(
        " AS status_in_force FROM tenders t JOIN organisations org ON org.id = t.buyer_id WHERE ",
    );
    match audience {
        TenderAudience::Buyer(org) => {
            sql.push("(t.buyer_id = ")
                .bind(org.as_uuid())
                .push(" OR (t.status <> 'draft' AND t.procedure <> 'invited'))");
        }
        TenderAudience::Supplier(org) => {
            sql.push(
                "t.status <> 'draft' AND (t.procedure <> 'invited' OR EXISTS (SELECT 1 FROM \
                 tender_invitations i WHERE i.tender_id = t.id AND i.supplier_id = ",
            )
            .bind(org.as_uuid())
            .push("))");
        }
        TenderAudience::Oversight => {
            sql.push("t.status <> 'draft'");
        }
    }
    if let Some(category) = &filter.category {
        sql.push(" AND t.category_code = ").bind(category.clone());
    }
    if let Some(region) = filter.region {
        sql.push(" AND t.region = ").bind(region.code());
    }
    if let Some(buyer) = filter.buyer {
        sql.push(" AND t.buyer_id = ").bind(buyer.as_uuid());
    }
    if filter.published_only {
        sql.push(" AND t.status <> 'draft'");
    }
}

pub(crate) fn listing(row: &QueryResult) -> Result<TenderListing, StoreError> {
    let id: Uuid = row.try_get("", "id")?;
    let region: String = row.try_get("", "region")?;
    let procedure: String = row.try_get("", "procedure")?;
    let status: String = row.try_get("", "status_in_force")?;
    Ok(TenderListing {
        id: TenderId::from_uuid(id),
        buyer_id: OrganisationId::from_uuid(row.try_get("", "buyer_id")?),
        buyer_name: row.try_get("", "buyer_name")?,
        title: row.try_get("", "title")?,
        category: row.try_get("", "category_code")?,
        region: region.parse().map_err(|_| corrupt(id, "region"))?,
        procedure: procedure.parse().map_err(|_| corrupt(id, "procedure"))?,
        estimated_value_pence: row.try_get("", "estimated_value_pence")?,
        clarification_deadline: row.try_get("", "clarification_deadline")?,
        submission_deadline: row.try_get("", "submission_deadline")?,
        status: status.parse().map_err(|_| corrupt(id, "status"))?,
        published_at: row.try_get("", "published_at")?,
    })
}

/// The tenders `audience` may see that match `filter`, soonest deadline first, with the state in
/// force at `now` (filtering on it too).
pub async fn list(
    conn: &impl ConnectionTrait,
    audience: TenderAudience,
    filter: &TenderFilter,
    now: DateTime<Utc>,
    page: PageRequest,
) -> Result<Page<TenderListing>, StoreError> {
    let backend = conn.get_database_backend();
    let statement = |count: bool| {
        let mut sql = Sql::new(backend);
        sql.push(if count {
            "SELECT COUNT(*) AS n FROM ("
        } else {
            "SELECT * FROM ("
        });
        push_listing_query(&mut sql, audience, filter, now);
        sql.push(") AS visible");
        if let Some(status) = filter.status {
            sql.push(" WHERE status_in_force = ").bind(status.as_str());
        }
        if !count {
            sql.push(" ORDER BY submission_deadline ASC, id ASC LIMIT ")
                .bind(i64::try_from(page.per_page()).unwrap_or(100))
                .push(" OFFSET ")
                .bind(i64::try_from(page.offset()).unwrap_or(0));
        }
        sql.statement()
    };
    let total: i64 = conn
        .query_one_raw(statement(true))
        .await?
        .map(|row| row.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    let items = conn
        .query_all_raw(statement(false))
        .await?
        .iter()
        .map(listing)
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
        total_exact: true,
        page: page.page(),
        per_page: page.per_page(),
    })
}
