//! Reads by id: `GET /api/v1/offers/{id}` over a thousand published offers in turn, beside
//! pgbench running the statement the API runs for it (the offer joined with its supplier and its
//! price in force; the account's standing is read once a second, not per request).

use super::*;

/// How many offers the reads go through.
const OFFERS_READ: i64 = 1000;

/// Measures the reads and appends their row to `report`.
pub(crate) async fn offer_by_id(
    db: &Db,
    url: &str,
    base: &str,
    client: &reqwest::Client,
    token: &str,
    args: &Args,
    report: &mut String,
) -> Result<(), Failure> {
    let conn = db.conn();
    conn.execute_unprepared(
        "DROP TABLE IF EXISTS bench_offer_ids; \
         CREATE TABLE bench_offer_ids (n integer PRIMARY KEY, id uuid NOT NULL)",
    )
    .await?;
    conn.execute_unprepared(&format!(
        "INSERT INTO bench_offer_ids (n, id) \
         SELECT row_number() OVER (ORDER BY tie_break), id FROM offers \
         WHERE status = 'published' ORDER BY tie_break LIMIT {OFFERS_READ}"
    ))
    .await?;
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT id FROM bench_offer_ids ORDER BY n",
        ))
        .await?;
    let mut urls = Vec::new();
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        urls.push(format!("{base}/api/v1/offers/{id}"));
    }
    let http = measure_each(client, &urls, Some(token), args).await?;
    // The API's statement, with its id drawn the way the clients draw theirs.
    let statement = persistence::offers::presented_statement(
        DbBackend::Postgres,
        OfferId::from_uuid(Uuid::nil()),
        None,
    );
    let sql = statement
        .sql
        .replace("$1", "(SELECT id FROM bench_offer_ids WHERE n = :n)");
    let tps = pgbench(
        args,
        url,
        &[format!("\\set n random(1, {OFFERS_READ})"), sql],
    )?;
    writeln!(
        report,
        "| `GET /api/v1/offers/{{id}}`, {OFFERS_READ} offers in turn | {:.0} | {:.2} | {:.2} | {:.0} | {:.0}% |",
        http.per_second,
        http.median_ms,
        http.p99_ms,
        tps,
        100.0 * http.per_second / tps
    )?;
    conn.execute_unprepared("DROP TABLE IF EXISTS bench_offer_ids")
        .await?;
    Ok(())
}
