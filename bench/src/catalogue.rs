//! A million generated offers, bulk-loaded with COPY.

use super::*;

/// splitmix64: a small, fast, seeded generator, so every run loads the same market.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub(crate) fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }
}

pub(crate) const SYLLABLES: [&str; 15] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "te", "vi", "zo", "bel", "dor", "fen", "gal", "hil", "jor",
];
pub(crate) const VOCABULARY: u64 = 15 * 15 * 15 * 15;

pub(crate) const WORDS_PER_DESCRIPTION: usize = 12;

pub(crate) const MODIFIERS: [&str; 12] = [
    "Integrated",
    "Managed",
    "Specialist",
    "Regional",
    "Flexible",
    "Enhanced",
    "Core",
    "Rapid",
    "Collaborative",
    "Digital",
    "Outcome-based",
    "Shared",
];

/// The synthetic word of rank `i` (0 is the most frequent).
pub(crate) fn word(mut i: u64) -> String {
    let mut out = String::new();
    for _ in 0..4 {
        out.push_str(SYLLABLES[(i % 15) as usize]);
        i /= 15;
    }
    out
}

/// A word rank drawn from a Zipf-like (log-uniform) law: a few words are everywhere, most rare.
pub(crate) fn zipf_rank(rng: &mut Rng) -> u64 {
    let rank = (rng.unit() * (VOCABULARY as f64).ln()).exp() as u64;
    rank.saturating_sub(1).min(VOCABULARY - 1)
}

pub(crate) fn copy_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

pub(crate) const SUPPLIERS: u64 = 200;

pub(crate) const BATCH: u64 = 20_000;

/// Loads `count` published offers from 200 suppliers with COPY, showing progress, then
/// VACUUM ANALYZE so the planner and the visibility map are as in a settled production database.
pub(crate) async fn load(db: &Db, count: u64) -> Result<(), Failure> {
    let command = db.command().await?;
    let mut suppliers = Vec::new();
    for n in 0..SUPPLIERS {
        let new = NewOrganisation::parse(
            &format!("Benchmark Supplier {n:03}"),
            OrganisationKind::Supplier,
            None,
            None,
        )?;
        let created =
            api_call(service::accounts::register_organisation(&command, None, &new).await)?;
        suppliers.push(created.id);
    }
    command.commit().await?;

    let pool = db.conn().get_postgres_connection_pool();
    let bar = ProgressBar::new(count);
    bar.set_style(ProgressStyle::with_template(
        "loading offers {bar:40} {pos}/{len} ({per_sec}, {eta} left)",
    )?);
    let mut rng = Rng(20_261_122);
    let now = Utc::now();
    let mut done = 0;
    while done < count {
        let n = BATCH.min(count - done);
        let mut offers = String::with_capacity(usize::try_from(n).unwrap_or(0) * 900);
        let mut prices = String::with_capacity(usize::try_from(n).unwrap_or(0) * 120);
        for _ in 0..n {
            offer_row(&mut rng, &suppliers, now, &mut offers, &mut prices);
        }
        let mut copy = pool
            .copy_in_raw(
                "COPY offers (id, supplier_id, category_code, title, summary, description, \
                 regions_mask, pricing_unit, unit_price_pence, minimum_term_months, status, \
                 version, tie_break, created_at, updated_at, published_at, withdrawn_at) \
                 FROM STDIN",
            )
            .await?;
        copy.send(offers.as_bytes()).await?;
        copy.finish().await?;
        let mut copy = pool
            .copy_in_raw(
                "COPY offer_prices (id, offer_id, pricing_unit, unit_price_pence, \
                 effective_from) FROM STDIN",
            )
            .await?;
        copy.send(prices.as_bytes()).await?;
        copy.finish().await?;
        done += n;
        bar.set_position(done);
        // indicatif draws only on a terminal; a log still shows progress.
        if !std::io::stderr().is_terminal() && done % 100_000 == 0 {
            eprintln!("loaded {done}/{count} offers");
        }
    }
    bar.finish();
    eprintln!("VACUUM ANALYZE …");
    db.conn()
        .execute_unprepared("VACUUM ANALYZE offers")
        .await?;
    db.conn()
        .execute_unprepared("VACUUM ANALYZE offer_prices")
        .await?;
    Ok(())
}

pub(crate) fn offer_row(
    rng: &mut Rng,
    suppliers: &[OrganisationId],
    now: chrono::DateTime<Utc>,
    offers: &mut String,
    prices: &mut String,
) {
    let id = OfferId::new();
    let supplier = suppliers[rng.below(suppliers.len() as u64) as usize];
    let service: &Service = &SERVICES[rng.below(SERVICES.len() as u64) as usize];
    let modifier = MODIFIERS[rng.below(MODIFIERS.len() as u64) as usize];
    let title = format!("{modifier} {}", service.title.to_lowercase());
    let mut description = String::from(service.description);
    for _ in 0..WORDS_PER_DESCRIPTION {
        description.push(' ');
        description.push_str(&word(zipf_rank(rng)));
    }
    // One to three regions mostly; sometimes national.
    let regions: Vec<Region> = if rng.below(10) == 0 {
        Region::ALL.to_vec()
    } else {
        let k = 1 + rng.below(3);
        (0..k)
            .map(|_| Region::ALL[rng.below(Region::ALL.len() as u64) as usize])
            .collect()
    };
    let mask = RegionSet::new(&regions).map_or(1, RegionSet::mask);
    let factor = 0.6 + rng.unit();
    let price = ((service.base_pence as f64 * factor) as i64).max(1);
    let published =
        now - ChronoDuration::seconds(i64::try_from(rng.below(730 * 86_400)).unwrap_or(0));
    let created = published - ChronoDuration::days(7);
    let term = service
        .minimum_term_months
        .map_or_else(|| "\\N".to_owned(), |m| m.to_string());
    let _ = writeln!(
        offers,
        "{id}\t{supplier}\t{}\t{}\t{}\t{}\t{mask}\t{}\t{price}\t{term}\tpublished\t2\t{}\t{}\t{}\t{}\t\\N",
        service.category,
        copy_escape(&title),
        copy_escape(service.summary),
        copy_escape(&description),
        service.unit.as_str(),
        tie_break_key(id),
        created.to_rfc3339(),
        published.to_rfc3339(),
        published.to_rfc3339(),
    );
    let _ = writeln!(
        prices,
        "{}\t{id}\t{}\t{price}\t{}",
        Uuid::new_v4(),
        service.unit.as_str(),
        published.to_rfc3339(),
    );
}
