//! The demo's framework: NHS England buys commissioning support "at scale" once — the
//! Commissioning Support Framework 2026, three lots, awarded to several CSUs and independents —
//! and commissioners call off from it: Norfolk and Waveney ICB by direct award from the frozen
//! catalogue, Greater Manchester ICB by a competitive selection. NHS Anglia CSU holds places
//! that the takeover recorded afterwards (in the market history) moves to NHS North and East
//! London CSU.

use super::Demo;
use chrono::{DateTime, Duration, Utc};
use domain::access::Actor;
use domain::bid::NewResponse;
use domain::framework::{CallOffMethod, DirectAwardRule, NewFrameworkTerms};
use domain::ids::{BidId, LotId};
use domain::offer::{AnnualisationBasis, OfferStatus};
use domain::organisation::Region;
use domain::tender::{NewCriterion, NewLot, Procedure, TenderFields, TenderSpec};
use persistence::tenders::Tender;
use service::bids::BidInput;
use service::call_offs::{CallOffRequest, SearchInput, SelectionTender};
use service::evaluation::MarkTarget;
use service::{Expected, ServiceError};

fn criteria() -> Vec<NewCriterion> {
    [
        ("Price", "price", 40),
        ("Delivery approach", "quality", 40),
        ("Social value", "quality", 20),
    ]
    .into_iter()
    .map(|(name, kind, weight)| NewCriterion {
        name: name.to_owned(),
        kind: kind.to_owned(),
        weight,
    })
    .collect()
}

/// A lot, the catalogue categories its suppliers list offers from, and its bidders: login,
/// price (pence) and the mark the panel gave.
struct DemoLot {
    title: &'static str,
    description: &'static str,
    value_pence: i64,
    categories: &'static [&'static str],
    bidders: &'static [(&'static str, i64, u8)],
}

const LOTS: [DemoLot; 3] = [
    DemoLot {
        title: "Business intelligence and analytics",
        description: "Data services, dashboards, population health analytics and risk \
                      stratification for commissioners.",
        value_pence: 4_000_000_000,
        categories: &["data_analysis_bi", "population_health"],
        bidders: &[
            ("bids@nelcsu.nhs.example", 1_900_000_000, 82),
            ("bids@insight.example", 1_700_000_000, 74),
            ("bids@anglia.nhs.example", 2_100_000_000, 70),
            ("bids@mlcsu.nhs.example", 2_300_000_000, 58),
        ],
    },
    DemoLot {
        title: "Procurement and contracting",
        description: "Sourcing, contract management and provider contracting support.",
        value_pence: 3_000_000_000,
        categories: &["procurement", "contracting"],
        bidders: &[
            ("bids@necsu.nhs.example", 1_400_000_000, 80),
            ("bids@anglia.nhs.example", 1_350_000_000, 66),
            ("bids@pennine.example", 1_500_000_000, 72),
            ("bids@beacon.example", 1_600_000_000, 55),
        ],
    },
    DemoLot {
        title: "Finance and HR",
        description: "Transactional finance, management accounts, payroll and HR services.",
        value_pence: 2_500_000_000,
        categories: &["finance", "hr"],
        bidders: &[
            ("bids@agem.nhs.example", 1_100_000_000, 78),
            ("bids@meridian.example", 1_000_000_000, 70),
            ("bids@necsu.nhs.example", 1_250_000_000, 74),
            ("bids@clearwater.example", 1_300_000_000, 52),
        ],
    },
];

/// How many suppliers each lot admits.
const MAX_SUPPLIERS: i64 = 3;

fn responses(tender: &Tender) -> Vec<NewResponse> {
    tender
        .quality_criteria()
        .map(|c| NewResponse {
            criterion_id: c.id,
            text: format!(
                "Our approach to {}: a named national team, regional delivery leads and a \
                 standard mobilisation plan for every call-off.",
                c.name.to_lowercase()
            ),
        })
        .collect()
}

/// The lead (alone on the panel, no conflict declared) marks every bid on every quality
/// criterion at `at`.
async fn score(
    demo: &Demo,
    at: DateTime<Utc>,
    lead: &Actor,
    tender: &Tender,
    marks: &[(BidId, u8)],
) -> Result<(), ServiceError> {
    let ctx = demo.at(at);
    service::evaluation::assign(&ctx, lead, tender.id, lead.user_id).await?;
    service::evaluation::declare(&ctx, lead, tender.id, false, None).await?;
    let ctx = demo.at(at + Duration::hours(4));
    for (bid, mark) in marks {
        for criterion in tender.quality_criteria() {
            let target = MarkTarget {
                tender: tender.id,
                bid: *bid,
                criterion: criterion.id,
            };
            let why = format!(
                "{}: scored {mark} against the published evaluation guidance.",
                criterion.name
            );
            service::evaluation::score(&ctx, lead, target, i64::from(*mark), &why).await?;
        }
    }
    Ok(())
}

pub(crate) async fn load(demo: &Demo) -> Result<(), ServiceError> {
    let now = demo.now();
    let days_ago = |days: i64| now - Duration::days(days);
    let nhse = demo.actor("lead@commercial.england.nhs.example")?;
    let criteria = criteria();
    let lots: Vec<NewLot> = LOTS
        .iter()
        .map(|l| NewLot {
            title: l.title.to_owned(),
            description: l.description.to_owned(),
            estimated_value_pence: l.value_pence,
        })
        .collect();
    let terms = NewFrameworkTerms {
        max_suppliers: MAX_SUPPLIERS,
        term_months: 48,
        call_off_methods: vec![
            CallOffMethod::DirectAward,
            CallOffMethod::CompetitiveSelection,
        ],
        direct_award_rule: Some(DirectAwardRule::LowestAnnualPrice),
        eligible_buyers: None,
    };
    let mut fields = TenderFields::new(
        "Commissioning Support Framework 2026",
        "NHS England's national framework for commissioning support: integrated care boards \
         and NHS England call off business intelligence, procurement and contracting, and \
         finance and HR services from the suppliers admitted to each lot, for four years.",
        "procurement",
        Region::London,
        LOTS.iter().map(|l| l.value_pence).sum(),
        48,
        Procedure::Open,
        &criteria,
    );
    fields.lots = &lots;
    fields.framework = Some(&terms);
    fields.clarification_deadline = Some(days_ago(205));
    fields.submission_deadline = Some(days_ago(195));
    let spec = TenderSpec::parse(&fields)?;
    let draft = service::tenders::create(&demo.at(days_ago(232)), &nhse, &spec).await?;
    let tender = service::tenders::publish(
        &demo.at(days_ago(230)),
        &nhse,
        draft.tender.id,
        &Expected::version(draft.tender.version),
    )
    .await?
    .tender;
    let mut marks = Vec::new();
    let mut by_lot: Vec<Vec<(BidId, Actor)>> = Vec::new();
    for (lot, demo_lot) in tender.lots.iter().zip(&LOTS) {
        let mut bids = Vec::new();
        for (n, (login, price, mark)) in demo_lot.bidders.iter().enumerate() {
            let bidder = demo.actor(login)?;
            let at = days_ago(198) + Duration::hours(i64::try_from(n).unwrap_or(0));
            let input = BidInput {
                lot_id: Some(lot.id),
                price_pence: *price,
                offer_id: None,
                responses: responses(&tender),
            };
            let bid = service::bids::submit(&demo.at(at), &bidder, tender.id, &input).await?;
            marks.push((bid.bid.id, *mark));
            bids.push((bid.bid.id, bidder));
        }
        by_lot.push(bids);
    }
    score(demo, days_ago(194), &nhse, &tender, &marks).await?;

    // Each lot admits its three top-ranked bidders; after the standstill the agreement is
    // entered, lot by lot.
    for lot in &tender.lots {
        let awarding = demo.at(days_ago(185));
        let ranking =
            service::evaluation::ranking(&awarding, &nhse, tender.id, Some(lot.id)).await?;
        let admitted: Vec<BidId> = ranking
            .items
            .iter()
            .take(usize::try_from(MAX_SUPPLIERS).unwrap_or(3))
            .map(|r| r.bid_id)
            .collect();
        service::awards::award_framework(&awarding, &nhse, tender.id, &admitted, None).await?;
    }
    let start = days_ago(169).date_naive();
    let mut framework = None;
    for lot in &tender.lots {
        let entered = service::awards::confirm_contract(
            &demo.at(days_ago(170)),
            &nhse,
            tender.id,
            Some(lot.id),
            start,
            None,
        )
        .await?;
        if let service::awards::Entered::Framework(view) = entered {
            framework = Some(view.framework.id);
        }
    }
    let framework =
        framework.ok_or_else(|| ServiceError::Internal("the demo framework vanished".into()))?;

    // Each admitted supplier lists a catalogue offer on its lot — but Anglia, whose
    // commissioners are already leaving it and which is taken over before the year is out.
    let anglia = demo.org("anglia")?;
    let shown = service::frameworks::get(&demo.at(days_ago(165)), framework).await?;
    for (lot, demo_lot) in shown.lots.iter().zip(&LOTS) {
        for (place, _) in shown
            .places
            .iter()
            .filter(|(p, _)| p.lot_id == Some(lot.id) && p.supplier_id != anglia)
        {
            let Some((_, bidder)) = by_lot
                .iter()
                .flatten()
                .find(|(_, b)| b.organisation_id == place.supplier_id)
            else {
                continue;
            };
            list_offer(
                demo,
                days_ago(165),
                bidder,
                framework,
                lot.id,
                demo_lot.categories,
            )
            .await?;
        }
    }

    // Norfolk and Waveney ICB calls off business intelligence by direct award: the search is
    // saved and its results frozen at the ICB's volumes; the cheapest wins.
    let nw = demo.actor("lead@nw-icb.nhs.example")?;
    let bi = tender.lots[0].id;
    let call_off = service::call_offs::create(
        &demo.at(days_ago(60)),
        &nw,
        framework,
        Some(bi),
        &CallOffRequest::DirectAward {
            title: "Population health analytics for Norfolk and Waveney".to_owned(),
            search: SearchInput::default(),
            volumes: AnnualisationBasis {
                fte: Some(4),
                population: Some(1_100_000),
                days_per_year: Some(220),
                transactions_per_year: None,
            },
            term_months: 24,
        },
    )
    .await?;
    let (_, shortlist) =
        service::call_offs::shortlist(&demo.at(days_ago(59)), &nw, call_off.call_off.id).await?;
    if let Some(cheapest) = shortlist.first() {
        service::call_offs::award(
            &demo.at(days_ago(58)),
            &nw,
            call_off.call_off.id,
            cheapest.offer_id,
            None,
        )
        .await?;
    }

    // Greater Manchester ICB runs a competitive selection among the finance and HR suppliers.
    competitive_selection(demo, framework, tender.lots[2].id).await
}

/// The supplier lists one of its published offers (in one of the lot's categories, if it has
/// one) on the framework's lot.
async fn list_offer(
    demo: &Demo,
    at: DateTime<Utc>,
    bidder: &Actor,
    framework: domain::ids::FrameworkId,
    lot: LotId,
    categories: &[&str],
) -> Result<(), ServiceError> {
    let ctx = demo.at(at);
    let offers = service::offers::own(&ctx, bidder, Some(OfferStatus::Published)).await?;
    let chosen = offers
        .iter()
        .find(|o| categories.contains(&o.details.category.as_str()))
        .or(offers.first());
    if let Some(offer) = chosen {
        service::offers::list_on_framework(
            &ctx,
            bidder,
            offer.id,
            &Expected::version(offer.version),
            Some(domain::offer::FrameworkListing {
                framework_id: framework,
                lot_id: Some(lot),
            }),
        )
        .await?;
    }
    Ok(())
}

async fn competitive_selection(
    demo: &Demo,
    framework: domain::ids::FrameworkId,
    lot: LotId,
) -> Result<(), ServiceError> {
    let now = demo.now();
    let days_ago = |days: i64| now - Duration::days(days);
    let gm = demo.actor("lead@gm-icb.nhs.example")?;
    let call_off = service::call_offs::create(
        &demo.at(days_ago(45)),
        &gm,
        framework,
        Some(lot),
        &CallOffRequest::CompetitiveSelection(Box::new(SelectionTender {
            title: "Payroll and management accounts for Greater Manchester".to_owned(),
            description: "Payroll for 4,000 staff and monthly management accounts, called off \
                          from the Commissioning Support Framework 2026."
                .to_owned(),
            estimated_value_pence: 1_800_000_000,
            budget_ceiling_pence: None,
            contract_term_months: 36,
            criteria: criteria(),
            clarification_deadline: Some(days_ago(30)),
            submission_deadline: Some(days_ago(25)),
            standstill_days: None,
        })),
    )
    .await?;
    let tender_id = call_off.call_off.tender_id.ok_or_else(|| {
        ServiceError::Internal("a competitive selection without its tender".into())
    })?;
    let draft = service::tenders::get(&demo.at(days_ago(44)), &gm, tender_id).await?;
    let tender = service::tenders::publish(
        &demo.at(days_ago(44)),
        &gm,
        tender_id,
        &Expected::version(draft.tender.version),
    )
    .await?
    .tender;
    let mut marks = Vec::new();
    for (n, supplier) in tender.invited.iter().enumerate() {
        let Some(bidder) = LOTS[2]
            .bidders
            .iter()
            .filter_map(|(login, _, _)| demo.actor(login).ok())
            .find(|a| a.organisation_id == *supplier)
        else {
            continue;
        };
        let offset = i64::try_from(n).unwrap_or(0);
        let input = BidInput {
            lot_id: None,
            price_pence: 1_500_000_000 + 60_000_000 * offset,
            offer_id: None,
            responses: responses(&tender),
        };
        let at = days_ago(27) + Duration::hours(offset);
        let bid = service::bids::submit(&demo.at(at), &bidder, tender.id, &input).await?;
        marks.push((bid.bid.id, 80 - 5 * u8::try_from(n).unwrap_or(0)));
    }
    score(demo, days_ago(24), &gm, &tender, &marks).await?;
    let awarding = demo.at(days_ago(20));
    let ranking = service::evaluation::ranking(&awarding, &gm, tender.id, None).await?;
    if let Some(top) = ranking.items.first() {
        service::awards::award(&awarding, &gm, tender.id, top.bid_id, None).await?;
        service::awards::confirm_contract(
            &demo.at(days_ago(2)),
            &gm,
            tender.id,
            None,
            days_ago(1).date_naive(),
            None,
        )
        .await?;
    }
    Ok(())
}
