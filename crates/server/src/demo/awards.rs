//! The demo's awarded competitions: Norfolk and Waveney tenders scored, awarded and (all but the
//! latest, still in standstill) contracted, with the CCGs' quarterly performance reviews — NHS
//! Anglia CSU rated poorly on delivery across the five CCGs, NECSU well.
//!
//! Like the demo's closed tenders these are history: every step happened weeks or months before
//! the demo was loaded, so the times are set in the past (which no client can do). Each step goes
//! through the same persistence and rules as the API, and each is audited.

use super::tenders::{DemoTender, bid, draft, published_in_the_past};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use domain::audit::AuditEntry;
use domain::calendar::{self, uk_date};
use domain::contract::{ContractTerm, Review};
use domain::evaluation::{Declaration, Score};
use domain::ids::{OrganisationId, UserId};
use domain::tender::{CriterionKind, TenderStatus};
use persistence::Command;
use persistence::awards::{AwardStatus, NewAward};
use persistence::evaluation::MarkKey;
use persistence::tenders::{Tender, Transition};
use service::ServiceError;
use service::evaluation::evaluate;
use service::transfers::{TransferInput, record_in};

/// A bidder in a demo competition: organisation, bidding user, price, and the mark the panel gave
/// its quality responses.
struct Bidder {
    supplier: OrganisationId,
    by: UserId,
    price_pence: i64,
    mark: u8,
}

/// A quarterly review: period, delivery, quality, value for money, responsiveness, comments and
/// how many days before loading it was recorded.
type DemoReview = (&'static str, [i64; 4], &'static str, i64);

struct Competition {
    buyer: OrganisationId,
    lead: UserId,
    tender: DemoTender,
    bidders: Vec<Bidder>,
    /// Days before loading that the award was made.
    awarded_days_ago: i64,
    /// Reviews of the contract; `None` leaves the tender in standstill without a contract.
    reviews: Option<Vec<DemoReview>>,
}

async fn run(command: &Command, competition: Competition) -> Result<Tender, ServiceError> {
    let now = command.now();
    let awarded_at = now - Duration::days(competition.awarded_days_ago);
    let tender = draft(command, competition.buyer, &competition.tender, &[]).await?;
    // Published a month before bids closed.
    let tender =
        published_in_the_past(command, tender, 30 - competition.tender.submission_days).await?;
    let closed_at = tender.submission_deadline;
    let mut bids = Vec::new();
    for (n, bidder) in competition.bidders.iter().enumerate() {
        let at = closed_at - Duration::days(3) + Duration::hours(i64::try_from(n).unwrap_or(0));
        bids.push((
            bid(
                command,
                &tender,
                bidder.supplier,
                bidder.by,
                bidder.price_pence,
                at,
            )
            .await?,
            bidder.mark,
        ));
    }
    let tender = persistence::tenders::set_status(
        command.conn(),
        &tender,
        TenderStatus::Evaluation,
        Transition::default(),
        closed_at,
    )
    .await?;
    command
        .audit(
            AuditEntry::new(None, "tender.closed", "tender", tender.id)
                .after(serde_json::json!({"status": "evaluation", "closed_at": closed_at})),
        )
        .await?;

    // The lead scores alone, after declaring no conflict of interest.
    let declared_at = closed_at + Duration::hours(2);
    persistence::evaluation::assign(
        command.conn(),
        tender.id,
        competition.lead,
        competition.lead,
        declared_at,
    )
    .await?;
    persistence::evaluation::declare(
        command.conn(),
        tender.id,
        competition.lead,
        &Declaration::parse(false, None)?,
        declared_at,
    )
    .await?;
    command
        .audit(
            AuditEntry::new(None, "tender.conflict_declared", "tender", tender.id)
                .after(serde_json::json!({"user_id": competition.lead, "has_conflict": false})),
        )
        .await?;
    for (stored, mark) in &bids {
        for criterion in tender
            .criteria
            .iter()
            .filter(|c| c.kind == CriterionKind::Quality)
        {
            let score = Score::new(i64::from(*mark))?;
            persistence::evaluation::put_score(
                command.conn(),
                MarkKey {
                    tender: tender.id,
                    bid: stored.id,
                    criterion: criterion.id,
                    evaluator: competition.lead,
                },
                score,
                &format!(
                    "{}: scored {mark} against the published evaluation guidance for this \
                     criterion.",
                    criterion.name
                ),
                declared_at + Duration::days(1),
            )
            .await?;
        }
        command
            .audit(
                AuditEntry::new(None, "bid.scored", "bid", stored.id)
                    .after(serde_json::json!({"evaluator_id": competition.lead, "score": mark})),
            )
            .await?;
    }

    // Award to the top-ranked bid, with the standstill counted from the calendar.
    let evaluated = evaluate(command.conn(), &tender, awarded_at).await?;
    let top = evaluated
        .ranking
        .items
        .first()
        .ok_or_else(|| ServiceError::Internal("demo competition has no ranked bid".into()))?;
    let winner = evaluated
        .bids
        .get(&top.bid)
        .ok_or_else(|| ServiceError::Internal("demo winner vanished".into()))?
        .clone();
    let award_day = uk_date(awarded_at);
    let holidays = persistence::calendar::dates(
        command.conn(),
        award_day,
        award_day + Duration::days(calendar::CALENDAR_WINDOW_DAYS),
    )
    .await?;
    let standstill = calendar::standstill(
        awarded_at,
        u32::try_from(tender.standstill_days).unwrap_or(0),
        &holidays,
    );
    let award = persistence::awards::insert(
        command.conn(),
        NewAward {
            tender_id: tender.id,
            bid_id: winner.id,
            supplier_id: winner.supplier_id,
            rank: 1,
            justification: None,
            awarded_by: competition.lead,
            awarded_at,
            standstill_last_day: standstill.last_day,
            standstill_ends_at: standstill.ends_at,
        },
    )
    .await?;
    let tender = persistence::tenders::set_status(
        command.conn(),
        &tender,
        TenderStatus::Standstill,
        Transition::default(),
        awarded_at,
    )
    .await?;
    command
        .audit(
            AuditEntry::new(None, "tender.awarded", "tender", tender.id).after(
                serde_json::json!({"status": "standstill", "award_id": award.id, "bid_id": winner.id}),
            ),
        )
        .await?;
    let Some(reviews) = competition.reviews else {
        return Ok(tender);
    };

    // The contract starts on the first of the month after the standstill.
    let after_standstill = uk_date(standstill.ends_at);
    let start = after_standstill
        .checked_add_months(Months::new(1))
        .and_then(|d| NaiveDate::from_ymd_opt(d.year(), d.month(), 1))
        .unwrap_or(after_standstill);
    let term = ContractTerm::parse(
        start,
        None,
        u32::try_from(tender.contract_term_months).unwrap_or(12),
        after_standstill,
    )?;
    let entered_at: DateTime<Utc> = standstill.ends_at + Duration::days(1);
    let contract = persistence::contracts::insert(
        command.conn(),
        persistence::contracts::NewContract {
            tender_id: tender.id,
            award_id: award.id,
            bid_id: winner.id,
            buyer_id: tender.buyer_id,
            supplier_id: winner.supplier_id,
            title: tender.title.clone(),
            category: tender.category.clone(),
            region: tender.region,
            total_value_pence: winner.price_pence,
            annual_value_pence: term.annual_value_pence(winner.price_pence),
            start_date: term.start_date,
            end_date: term.end_date,
            awarded_at,
            created_by: competition.lead,
        },
        entered_at,
        uk_date(now),
    )
    .await?;
    persistence::awards::set_status(
        command.conn(),
        award.id,
        AwardStatus::Contracted,
        entered_at,
    )
    .await?;
    let tender = persistence::tenders::set_status(
        command.conn(),
        &tender,
        TenderStatus::Awarded,
        Transition::default(),
        entered_at,
    )
    .await?;
    command
        .audit(
            AuditEntry::new(None, "contract.created", "contract", contract.id).after(
                serde_json::json!({"tender_id": tender.id, "supplier_id": winner.supplier_id, "total_value_pence": winner.price_pence}),
            ),
        )
        .await?;
    for (period, marks, comments, days_ago) in reviews {
        let review = Review::parse(
            period,
            marks[0],
            marks[1],
            marks[2],
            marks[3],
            Some(comments),
        )?;
        let stored = persistence::contracts::insert_review(
            command.conn(),
            &contract,
            &review,
            competition.lead,
            now - Duration::days(days_ago),
        )
        .await?;
        command
            .audit(
                AuditEntry::new(None, "contract.reviewed", "contract", contract.id)
                    .after(serde_json::json!({"review_id": stored.id, "period": period})),
            )
            .await?;
    }
    Ok(tender)
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
const ANGLIA_POOR_DELIVERY: [DemoReview; 4] = [
    (
        "2025-Q4",
        [2, 3, 3, 3],
        "Mobilisation slipped by six weeks; the first contract register was incomplete.",
        330,
    ),
    (
        "2026-Q1",
        [2, 3, 2, 3],
        "Two of five monthly reports arrived after the governing body deadline.",
        240,
    ),
    (
        "2026-Q2",
        [1, 2, 2, 3],
        "Procurement timetable missed for the community services re-tender; escalated.",
        150,
    ),
    (
        "2026-Q3",
        [2, 3, 2, 2],
        "Improvement plan agreed; delivery still behind the specification.",
        60,
    ),
];

/// Loads the awarded competitions. `org` and `user` look up the demo's organisations and
/// logins.
pub(crate) async fn load(
    command: &Command,
    org: &dyn Fn(&str) -> Result<OrganisationId, ServiceError>,
    user: &dyn Fn(&str) -> Result<UserId, ServiceError>,
) -> Result<(), ServiceError> {
    let anglia = org("anglia")?;
    let necsu = org("necsu")?;
    let agem = org("agem")?;
    let anglia_bidder = user("bids@anglia.nhs.example")?;
    let necsu_bidder = user("bids@necsu.nhs.example")?;
    let agem_bidder = user("bids@agem.nhs.example")?;
    let anglia_wins = |price: i64| {
        vec![
            Bidder {
                supplier: anglia,
                by: anglia_bidder,
                price_pence: price,
                mark: 75,
            },
            Bidder {
                supplier: necsu,
                by: necsu_bidder,
                price_pence: price + price / 10,
                mark: 65,
            },
        ]
    };

    // Each CCG's support contract went to NHS Anglia CSU about 15 months ago; all five rate its
    // delivery poorly.
    let ccgs = [
        (
            "norwich_ccg",
            "lead@norwich-ccg.nhs.example",
            "Contracting and commissioning support service",
            "contracting",
            42_000_000,
        ),
        (
            "north_norfolk_ccg",
            "lead@north-norfolk-ccg.nhs.example",
            "Business intelligence and reporting service",
            "data_analysis_bi",
            30_000_000,
        ),
        (
            "south_norfolk_ccg",
            "lead@south-norfolk-ccg.nhs.example",
            "Commissioning support: contracting and performance",
            "contracting",
            36_000_000,
        ),
        (
            "west_norfolk_ccg",
            "lead@west-norfolk-ccg.nhs.example",
            "Information governance and data protection support",
            "information_governance",
            18_000_000,
        ),
        (
            "gyw_ccg",
            "lead@gyw-ccg.nhs.example",
            "Procurement support service",
            "procurement",
            26_000_000,
        ),
    ];
    for (key, lead, title, category, value) in ccgs {
        run(
            command,
            Competition {
                buyer: org(key)?,
                lead: user(lead)?,
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
        command,
        Competition {
            buyer: org("west_norfolk_ccg")?,
            lead: user("lead@west-norfolk-ccg.nhs.example")?,
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
                    supplier: necsu,
                    by: necsu_bidder,
                    price_pence: 11_400_000,
                    mark: 80,
                },
                Bidder {
                    supplier: agem,
                    by: agem_bidder,
                    price_pence: 11_900_000,
                    mark: 70,
                },
            ],
            awarded_days_ago: 300,
            reviews: Some(vec![
                (
                    "2026-Q2",
                    [5, 4, 4, 5],
                    "Every payroll run on time and accurate.",
                    150,
                ),
                (
                    "2026-Q3",
                    [4, 4, 5, 4],
                    "Pension returns filed early; one query took a week.",
                    60,
                ),
            ]),
        },
    )
    .await?;

    // Awarded two days ago: in standstill, bidders reading their outcome.
    run(
        command,
        Competition {
            buyer: org("gyw_ccg")?,
            lead: user("lead@gyw-ccg.nhs.example")?,
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
                    supplier: anglia,
                    by: anglia_bidder,
                    price_pence: 15_200_000,
                    mark: 55,
                },
                Bidder {
                    supplier: necsu,
                    by: necsu_bidder,
                    price_pence: 15_900_000,
                    mark: 80,
                },
                Bidder {
                    supplier: agem,
                    by: agem_bidder,
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
/// AGEM and NECSU. Returns the contracts each transfer moved, for the record.
pub(crate) async fn load_market(
    command: &Command,
    org: &dyn Fn(&str) -> Result<OrganisationId, ServiceError>,
    user: &dyn Fn(&str) -> Result<UserId, ServiceError>,
) -> Result<(), ServiceError> {
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
    for (buyer, lead, wins) in [
        ("gm_icb", "lead@gm-icb.nhs.example", &gm[..]),
        ("km_icb", "lead@km-icb.nhs.example", &km[..]),
    ] {
        for win in wins {
            let price = win.value_pence - win.value_pence / 25;
            let tender = run(
                command,
                Competition {
                    buyer: org(buyer)?,
                    lead: user(lead)?,
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
                            supplier: org(win.winner.0)?,
                            by: user(win.winner.1)?,
                            price_pence: price,
                            mark: 80,
                        },
                        Bidder {
                            supplier: org(win.loser.0)?,
                            by: user(win.loser.1)?,
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
                let contract = persistence::contracts::of_tender(
                    command.conn(),
                    tender.id,
                    uk_date(command.now()),
                )
                .await?
                .ok_or_else(|| ServiceError::Internal("demo contract vanished".into()))?;
                broken_up.push(contract.id);
            }
        }
    }

    let regulator = domain::access::Actor {
        user_id: user("regulator@england.nhs.example")?,
        organisation_id: org("nhse")?,
        role: domain::user::Role::Regulator,
    };
    let today = uk_date(command.now());
    let last_april = NaiveDate::from_ymd_opt(today.year(), 4, 1)
        .filter(|d| *d <= today)
        .or_else(|| NaiveDate::from_ymd_opt(today.year() - 1, 4, 1))
        .unwrap_or(today);
    record_in(
        command,
        regulator,
        &TransferInput {
            from_supplier_id: org("anglia")?,
            to_supplier_id: org("nelcsu")?,
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
        record_in(
            command,
            regulator,
            &TransferInput {
                from_supplier_id: org("scwcsu")?,
                to_supplier_id: org(acquirer)?,
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
