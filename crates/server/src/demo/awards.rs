//! The demo's awarded competitions: Norfolk and Waveney tenders scored, awarded and (all but the
//! latest, still in standstill) contracted, with the CCGs' quarterly performance reviews — NHS
//! Anglia CSU rated poorly on delivery across the five CCGs, NECSU well.
//!
//! These are history: every step happened weeks or months before the demo was loaded. Each is
//! the service command the lead, a bidder or the regulator would have sent, at that instant, so
//! the standstill is counted by the calendar and every bidder is notified as in any award.

use super::Demo;
use super::tenders::{DemoTender, bid, draft, publish};
use chrono::{Datelike, Duration, Months, NaiveDate};
use domain::access::Actor;
use domain::calendar::uk_date;
use persistence::tenders::Tender;
use service::ServiceError;
use service::contracts::ReviewInput;
use service::evaluation::MarkTarget;
use service::transfers::TransferInput;
use uuid::Uuid;

/// A bidder in a demo competition: its bidding login, price, and the mark the panel gave its
/// quality responses.
struct Bidder {
    by: Actor,
    price_pence: i64,
    mark: u8,
}

/// A quarterly review: period, delivery, quality, value for money, responsiveness, comments and
/// how many days before loading it was recorded.
type DemoReview = (&'static str, [i64; 4], &'static str, i64);

struct Competition {
    lead: Actor,
    tender: DemoTender,
    bidders: Vec<Bidder>,
    /// Days before loading that the award was made.
    awarded_days_ago: i64,
    /// Reviews of the contract; `None` leaves the tender in standstill without a contract.
    reviews: Option<Vec<DemoReview>>,
}

/// Runs a competition from draft to contract; answers the tender and its contract, if any.
async fn run(
    demo: &Demo,
    competition: Competition,
) -> Result<(Tender, Option<Uuid>), ServiceError> {
    let lead = &competition.lead;
    let closed_at = demo.now() + Duration::days(competition.tender.submission_days);
    let awarded_at = demo.now() - Duration::days(competition.awarded_days_ago);
    // Drafted and published a month before bids closed.
    let tender = draft(
        demo,
        closed_at - Duration::days(31),
        lead,
        &competition.tender,
        &[],
    )
    .await?;
    let tender = publish(demo, closed_at - Duration::days(30), lead, &tender).await?;
    let mut bids = Vec::new();
    for (n, bidder) in competition.bidders.iter().enumerate() {
        let at = closed_at - Duration::days(3) + Duration::hours(i64::try_from(n).unwrap_or(0));
        let stored = bid(demo, at, &bidder.by, &tender, bidder.price_pence).await?;
        bids.push((stored.bid.id, bidder.mark));
    }

    // The lead scores alone, after declaring no conflict of interest.
    let declared = demo.at(closed_at + Duration::hours(2));
    service::evaluation::assign(&declared, lead, tender.id, lead.user_id).await?;
    service::evaluation::declare(&declared, lead, tender.id, false, None).await?;
    let scoring = demo.at(closed_at + Duration::days(1));
    for (bid, mark) in &bids {
        for criterion in tender.quality_criteria() {
            let target = MarkTarget {
                tender: tender.id,
                bid: *bid,
                criterion: criterion.id,
            };
            let justification = format!(
                "{}: scored {mark} against the published evaluation guidance for this criterion.",
                criterion.name
            );
            service::evaluation::score(&scoring, lead, target, i64::from(*mark), &justification)
                .await?;
        }
    }

    // Award to the top-ranked bid; the standstill is counted from the calendar.
    let awarding = demo.at(awarded_at);
    let ranking = service::evaluation::ranking(&awarding, lead, tender.id, None).await?;
    let top = ranking
        .items
        .first()
        .ok_or_else(|| ServiceError::Internal("demo competition has no ranked bid".into()))?;
    let award = service::awards::award(&awarding, lead, tender.id, top.bid_id, None).await?;
    let Some(reviews) = competition.reviews else {
        return Ok((tender, None));
    };

    // The contract is confirmed the day after the standstill and starts on the first of the
    // next month.
    let entered_at = award.standstill_ends_at + Duration::days(1);
    let after_standstill = uk_date(award.standstill_ends_at);
    let start = after_standstill
        .checked_add_months(Months::new(1))
        .and_then(|d| NaiveDate::from_ymd_opt(d.year(), d.month(), 1))
        .unwrap_or(after_standstill);
    let contract =
        service::awards::confirm_contract(&demo.at(entered_at), lead, tender.id, None, start, None)
            .await?
            .into_contract()?;
    for (period, marks, comments, days_ago) in reviews {
        service::contracts::review(
            &demo.at(demo.now() - Duration::days(days_ago)),
            lead,
            contract.contract.id,
            &ReviewInput {
                period: period.to_owned(),
                delivery: marks[0],
                quality: marks[1],
                value_for_money: marks[2],
                responsiveness: marks[3],
                comments: Some(comments.to_owned()),
            },
        )
        .await?;
    }
    Ok((tender, Some(contract.contract.id)))
}

fn tender(
    title: &'static str,
    description: &'static str,
    category: &'static str,
    estimated_value_pence: i64,
    contract_term_months: i64,
    awarded_days_ago: i64,
) -> DemoTender {
    DemoTender {
        title,
        description,
        category,
        estimated_value_pence,
        budget_ceiling_pence: None,
        contract_term_months,
        // Relative to loading: bids closed ten days before the award.
        clarification_days: -(awarded_days_ago + 15),
        submission_days: -(awarded_days_ago + 10),
    }
}

/// Anglia's reviews: late and incomplete delivery, quarter after quarter.
#[rustfmt::skip]
const ANGLIA_POOR_DELIVERY: [DemoReview; 4] = [
    ("2025-Q4", [2, 3, 3, 3], "Mobilisation slipped by six weeks; the first contract register was incomplete.", 330),
    ("2026-Q1", [2, 3, 2, 3], "Two of five monthly reports arrived after the governing body deadline.", 240),
    ("2026-Q2", [1, 2, 2, 3], "Procurement timetable missed for the community services re-tender; escalated.", 150),
    ("2026-Q3", [2, 3, 2, 2], "Improvement plan agreed; delivery still behind the specification.", 60),
];

/// The payroll contract's reviews: on time and accurate.
#[rustfmt::skip]
const PAYROLL_ON_TIME: [DemoReview; 2] = [
    ("2026-Q2", [5, 4, 4, 5], "Every payroll run on time and accurate.", 150),
    ("2026-Q3", [4, 4, 5, 4], "Pension returns filed early; one query took a week.", 60),
];

/// Loads the awarded competitions.
pub(crate) async fn load(demo: &Demo) -> Result<(), ServiceError> {
    let anglia = demo.actor("bids@anglia.nhs.example")?;
    let necsu = demo.actor("bids@necsu.nhs.example")?;
    let agem = demo.actor("bids@agem.nhs.example")?;
    let anglia_wins = |price: i64| {
        vec![
            Bidder {
                by: anglia,
                price_pence: price,
                mark: 75,
            },
            Bidder {
                by: necsu,
                price_pence: price + price / 10,
                mark: 65,
            },
        ]
    };

    // Each CCG's support contract went to NHS Anglia CSU about 15 months ago; all five rate its
    // delivery poorly.
    let ccgs = [
        (
            "lead@norwich-ccg.nhs.example",
            "Contracting and commissioning support service",
            "contracting",
            42_000_000,
        ),
        (
            "lead@north-norfolk-ccg.nhs.example",
            "Business intelligence and reporting service",
            "data_analysis_bi",
            30_000_000,
        ),
        (
            "lead@south-norfolk-ccg.nhs.example",
            "Commissioning support: contracting and performance",
            "contracting",
            36_000_000,
        ),
        (
            "lead@west-norfolk-ccg.nhs.example",
            "Information governance and data protection support",
            "information_governance",
            18_000_000,
        ),
        (
            "lead@gyw-ccg.nhs.example",
            "Procurement support service",
            "procurement",
            26_000_000,
        ),
    ];
    for (lead, title, category, value) in ccgs {
        run(
            demo,
            Competition {
                lead: demo.actor(lead)?,
                tender: tender(
                    title,
                    "Back-office support to the CCG under a three-year contract, with monthly \
                     reporting to the governing body.",
                    category,
                    value,
                    36,
                    450,
                ),
                bidders: anglia_wins(value - value / 20),
                awarded_days_ago: 450,
                reviews: Some(ANGLIA_POOR_DELIVERY.to_vec()),
            },
        )
        .await?;
    }

    // NECSU's payroll contract with West Norfolk: delivered well.
    run(
        demo,
        Competition {
            lead: demo.actor("lead@west-norfolk-ccg.nhs.example")?,
            tender: tender(
                "Payroll and pensions administration",
                "Payroll for the CCG's staff and the pension returns, on a two-year contract.",
                "finance",
                12_000_000,
                24,
                300,
            ),
            bidders: vec![
                Bidder {
                    by: necsu,
                    price_pence: 11_400_000,
                    mark: 80,
                },
                Bidder {
                    by: agem,
                    price_pence: 11_900_000,
                    mark: 70,
                },
            ],
            awarded_days_ago: 300,
            reviews: Some(PAYROLL_ON_TIME.to_vec()),
        },
    )
    .await?;

    // Awarded two days ago: in standstill, bidders reading their outcome.
    run(
        demo,
        Competition {
            lead: demo.actor("lead@gyw-ccg.nhs.example")?,
            tender: DemoTender {
                title: "Medicines optimisation support for care homes",
                description: "Pharmacist-led medication reviews in 60 care homes, with \
                              deprescribing and a monthly report to the medicines \
                              management committee.",
                category: "medicines_optimisation",
                estimated_value_pence: 16_000_000,
                budget_ceiling_pence: Some(18_000_000),
                contract_term_months: 24,
                clarification_days: -14,
                submission_days: -9,
            },
            bidders: vec![
                Bidder {
                    by: anglia,
                    price_pence: 15_200_000,
                    mark: 55,
                },
                Bidder {
                    by: necsu,
                    price_pence: 15_900_000,
                    mark: 80,
                },
                Bidder {
                    by: agem,
                    price_pence: 14_800_000,
                    mark: 60,
                },
            ],
            awarded_days_ago: 2,
            reviews: None,
        },
    )
    .await?;
    Ok(())
}

/// A competition won by `winner` over `loser` (organisation key and bidding login each).
struct Win {
    title: &'static str,
    category: &'static str,
    value_pence: i64,
    winner: (&'static str, &'static str),
    loser: (&'static str, &'static str),
    awarded_days_ago: i64,
}

/// The wider market — Greater Manchester and Kent and Medway buying from several CSUs and
/// firms — then the story behind this product: NHS North and East London CSU takes over NHS
/// Anglia CSU from 1 April, and the unviable South, Central and West CSU is broken up between
/// AGEM and NECSU.
pub(crate) async fn load_market(demo: &Demo) -> Result<(), ServiceError> {
    let gm: [Win; 5] = [
        Win {
            title: "Contract management for community services",
            category: "contracting",
            value_pence: 40_000_000,
            winner: ("mlcsu", "bids@mlcsu.nhs.example"),
            loser: ("necsu", "bids@necsu.nhs.example"),
            awarded_days_ago: 380,
        },
        Win {
            title: "Business intelligence for the integrated care system",
            category: "data_analysis_bi",
            value_pence: 28_000_000,
            winner: ("necsu", "bids@necsu.nhs.example"),
            loser: ("mlcsu", "bids@mlcsu.nhs.example"),
            awarded_days_ago: 330,
        },
        Win {
            title: "Procurement support for primary care",
            category: "procurement",
            value_pence: 22_000_000,
            winner: ("mlcsu", "bids@mlcsu.nhs.example"),
            loser: ("agem", "bids@agem.nhs.example"),
            awarded_days_ago: 250,
        },
        Win {
            title: "Care home medicines optimisation",
            category: "medicines_optimisation",
            value_pence: 15_000_000,
            winner: ("mlcsu", "bids@mlcsu.nhs.example"),
            loser: ("scwcsu", "bids@scwcsu.nhs.example"),
            awarded_days_ago: 190,
        },
        Win {
            title: "Continuing healthcare assessments",
            category: "continuing_healthcare",
            value_pence: 34_000_000,
            winner: ("mlcsu", "bids@mlcsu.nhs.example"),
            loser: ("necsu", "bids@necsu.nhs.example"),
            awarded_days_ago: 120,
        },
    ];
    let km: [Win; 6] = [
        Win {
            title: "Transactional finance and payroll",
            category: "finance",
            value_pence: 30_000_000,
            winner: ("scwcsu", "bids@scwcsu.nhs.example"),
            loser: ("agem", "bids@agem.nhs.example"),
            awarded_days_ago: 400,
        },
        Win {
            title: "Procurement and sourcing support",
            category: "procurement",
            value_pence: 18_000_000,
            winner: ("scwcsu", "bids@scwcsu.nhs.example"),
            loser: ("agem", "bids@agem.nhs.example"),
            awarded_days_ago: 350,
        },
        Win {
            title: "IT service desk and infrastructure",
            category: "it",
            value_pence: 26_000_000,
            winner: ("agem", "bids@agem.nhs.example"),
            loser: ("scwcsu", "bids@scwcsu.nhs.example"),
            awarded_days_ago: 300,
        },
        Win {
            title: "Population health analytics",
            category: "population_health",
            value_pence: 12_000_000,
            winner: ("insight", "bids@insight.example"),
            loser: ("scwcsu", "bids@scwcsu.nhs.example"),
            awarded_days_ago: 260,
        },
        Win {
            title: "Acute contract management",
            category: "contracting",
            value_pence: 24_000_000,
            winner: ("scwcsu", "bids@scwcsu.nhs.example"),
            loser: ("agem", "bids@agem.nhs.example"),
            awarded_days_ago: 220,
        },
        Win {
            title: "Continuing healthcare support",
            category: "continuing_healthcare",
            value_pence: 20_000_000,
            winner: ("scwcsu", "bids@scwcsu.nhs.example"),
            loser: ("agem", "bids@agem.nhs.example"),
            awarded_days_ago: 160,
        },
    ];
    let mut broken_up = Vec::new();
    for (lead, wins) in [
        ("lead@gm-icb.nhs.example", &gm[..]),
        ("lead@km-icb.nhs.example", &km[..]),
    ] {
        for win in wins {
            let price = win.value_pence - win.value_pence / 25;
            let (_, contract) = run(
                demo,
                Competition {
                    lead: demo.actor(lead)?,
                    tender: tender(
                        win.title,
                        "Support services for the integrated care board under a three-year \
                         contract, with quarterly performance reviews.",
                        win.category,
                        win.value_pence,
                        36,
                        win.awarded_days_ago,
                    ),
                    bidders: vec![
                        Bidder {
                            by: demo.actor(win.winner.1)?,
                            price_pence: price,
                            mark: 80,
                        },
                        Bidder {
                            by: demo.actor(win.loser.1)?,
                            price_pence: price + price / 20,
                            mark: 60,
                        },
                    ],
                    awarded_days_ago: win.awarded_days_ago,
                    reviews: Some(Vec::new()),
                },
            )
            .await?;
            if win.winner.0 == "scwcsu" {
                broken_up.push(
                    contract
                        .ok_or_else(|| ServiceError::Internal("demo contract vanished".into()))?,
                );
            }
        }
    }

    let regulator = demo.actor("regulator@england.nhs.example")?;
    let ctx = demo.at(demo.now());
    let today = uk_date(demo.now());
    let last_april = NaiveDate::from_ymd_opt(today.year(), 4, 1)
        .filter(|d| *d <= today)
        .or_else(|| NaiveDate::from_ymd_opt(today.year() - 1, 4, 1))
        .unwrap_or(today);
    service::transfers::record(
        &ctx,
        &regulator,
        &TransferInput {
            from_supplier_id: demo.org("anglia")?,
            to_supplier_id: demo.org("nelcsu")?,
            effective_date: last_april,
            kind: domain::transfer::TransferKind::Takeover,
            contract_ids: None,
            reason: "NHS Anglia CSU was judged too expensive with inconsistent delivery; the \
                     Norfolk and Waveney CCGs' support moves to NHS North and East London CSU, \
                     which takes over the whole business."
                .to_owned(),
        },
    )
    .await?;
    let (to_agem, to_necsu) = broken_up.split_at(broken_up.len().div_ceil(2));
    for (acquirer, contracts) in [("agem", to_agem), ("necsu", to_necsu)] {
        service::transfers::record(
            &ctx,
            &regulator,
            &TransferInput {
                from_supplier_id: demo.org("scwcsu")?,
                to_supplier_id: demo.org(acquirer)?,
                effective_date: last_april,
                kind: domain::transfer::TransferKind::BreakUp,
                contract_ids: Some(contracts.to_vec()),
                reason: "South, Central and West CSU is not viable; NHS England breaks it up and \
                         its Kent and Medway contracts move to two acquirers."
                    .to_owned(),
            },
        )
        .await?;
    }
    Ok(())
}
