//! The demo's tenders: the five Norfolk and Waveney CCGs buying support, with a tender in each
//! state a competition reaches before award — a draft, open tenders (one invited) with
//! clarifications and sealed bids, one closed with bids awaiting evaluation, one that closed
//! with none, and one cancelled.
//!
//! Every step is the service command a client would send, taken by the demo's lead or bidder at
//! the instant it happened: the closed tenders were published and bid on weeks before the demo
//! was loaded, and their deadlines passed by the same clock.

use super::Demo;
use chrono::{DateTime, Duration, Utc};
use domain::access::Actor;
use domain::bid::NewResponse;
use domain::ids::OrganisationId;
use domain::organisation::Region;
use domain::tender::{NewCriterion, Procedure, TenderFields, TenderSpec};
use persistence::tenders::Tender;
use service::bids::{BidInput, BidView};
use service::{Expected, ServiceError};

pub(super) struct DemoTender {
    pub(super) title: &'static str,
    pub(super) description: &'static str,
    pub(super) category: &'static str,
    pub(super) estimated_value_pence: i64,
    pub(super) budget_ceiling_pence: Option<i64>,
    pub(super) contract_term_months: i64,
    /// Days from loading to the clarification and submission deadlines (negative: past).
    pub(super) clarification_days: i64,
    pub(super) submission_days: i64,
}

fn criteria() -> Vec<NewCriterion> {
    [
        ("Price", "price", 40),
        ("Delivery approach and mobilisation", "quality", 30),
        ("Team experience in NHS commissioning", "quality", 20),
        ("Social value", "quality", 10),
    ]
    .iter()
    .map(|(name, kind, weight)| NewCriterion {
        name: (*name).to_owned(),
        kind: (*kind).to_owned(),
        weight: *weight,
    })
    .collect()
}

/// The lead drafts the tender at `at`, in its organisation's region, its deadlines counted in
/// days from loading.
pub(super) async fn draft(
    demo: &Demo,
    at: DateTime<Utc>,
    lead: &Actor,
    tender: &DemoTender,
    invited: &[OrganisationId],
) -> Result<Tender, ServiceError> {
    let ctx = demo.at(at);
    let (_, buyer) = service::accounts::me(&ctx, lead).await?;
    let criteria = criteria();
    let mut fields = TenderFields::new(
        tender.title,
        tender.description,
        tender.category,
        buyer.region.unwrap_or(Region::EastOfEngland),
        tender.estimated_value_pence,
        tender.contract_term_months,
        if invited.is_empty() {
            Procedure::Open
        } else {
            Procedure::Invited
        },
        &criteria,
    );
    fields.budget_ceiling_pence = tender.budget_ceiling_pence;
    fields.invited_supplier_ids = invited;
    fields.clarification_deadline = Some(demo.now() + Duration::days(tender.clarification_days));
    fields.submission_deadline = Some(demo.now() + Duration::days(tender.submission_days));
    fields.no_lots_rationale = Some(super::procedures::ONE_SERVICE);
    let spec = TenderSpec::parse(&fields)?;
    let created = service::tenders::create(&ctx, lead, &spec).await?.tender;
    publish_documents(demo, at, lead, &created).await?;
    Ok(created)
}

/// A file the demo uploads, through the same spooler as any upload.
async fn demo_file(name: &str, bytes: &[u8]) -> Result<service::documents::Upload, ServiceError> {
    let mut spooler = service::documents::Spooler::new().await?;
    spooler.write(bytes).await?;
    spooler.finish(name, "/file").await
}

/// A one-page PDF whose lines are `lines` (Helvetica, A4).
fn pdf(lines: &[&str]) -> Vec<u8> {
    let text: String = lines
        .iter()
        .map(|line| format!("({}) Tj T*", line.replace(['(', ')', '\\'], "")))
        .collect::<Vec<_>>()
        .join(" ");
    let stream = format!("BT /F1 11 Tf 14 TL 56 780 Td {text} ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        out.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer << /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    out.into_bytes()
}

/// Every demo tender's documents: a specification (PDF) and a pricing schedule (CSV).
async fn publish_documents(
    demo: &Demo,
    at: DateTime<Utc>,
    lead: &Actor,
    tender: &Tender,
) -> Result<(), ServiceError> {
    let ctx = demo.at(at);
    let specification = pdf(&[
        &format!("Specification: {}", tender.title),
        "1. Scope: the service described in the tender notice, for the contract term.",
        "2. Outcomes: named team, mobilisation in 30 days, monthly reporting.",
        "3. Standards: NHS Data Security and Protection Toolkit; UK GDPR.",
    ]);
    let pricing = format!(
        "item,pricing_unit,quantity,unit_price_pence\n{},fixed_annual,{},\n",
        tender.title.replace(',', " "),
        (tender.contract_term_months / 12).max(1)
    );
    for (title, kind, name, bytes) in [
        (
            "Specification",
            "technicalSpecifications",
            "specification.pdf",
            specification,
        ),
        (
            "Pricing schedule",
            "biddingDocuments",
            "pricing-schedule.csv",
            pricing.into_bytes(),
        ),
    ] {
        let input = service::documents::DocumentInput {
            title: title.to_owned(),
            document_type: kind.to_owned(),
            replaces: None,
        };
        service::documents::add(
            &ctx,
            lead,
            tender.id,
            &input,
            demo_file(name, &bytes).await?,
        )
        .await?;
    }
    Ok(())
}

/// The bidder attaches its method statement to its bid at `at`.
async fn method_statement(
    demo: &Demo,
    at: DateTime<Utc>,
    bidder: &Actor,
    tender: &Tender,
    bid: &BidView,
) -> Result<(), ServiceError> {
    let statement = pdf(&[
        &format!("Method statement: {}", tender.title),
        "Team: a named account lead and two analysts, based in the region.",
        "Mobilisation: week 1 discovery, week 4 first report, month 3 review.",
    ]);
    service::documents::attach(
        &demo.at(at),
        bidder,
        (tender.id, bid.bid.id),
        "Method statement",
        demo_file("method-statement.pdf", &statement).await?,
    )
    .await?;
    Ok(())
}

/// The lead publishes the draft at `at`.
pub(super) async fn publish(
    demo: &Demo,
    at: DateTime<Utc>,
    lead: &Actor,
    tender: &Tender,
) -> Result<Tender, ServiceError> {
    let expected = Expected::version(tender.version);
    Ok(
        service::tenders::publish(&demo.at(at), lead, tender.id, &expected)
            .await?
            .tender,
    )
}

/// The bidder submits a bid at `at`, answering every quality criterion.
pub(super) async fn bid(
    demo: &Demo,
    at: DateTime<Utc>,
    bidder: &Actor,
    tender: &Tender,
    price_pence: i64,
) -> Result<BidView, ServiceError> {
    let responses: Vec<NewResponse> = tender
        .quality_criteria()
        .map(|c| NewResponse {
            criterion_id: c.id,
            text: format!(
                "Our response on {}: a named team, a mobilisation plan in the first 30 days, \
                 and monthly reporting to the CCG's governing body.",
                c.name.to_lowercase()
            ),
        })
        .collect();
    let input = BidInput {
        lot_id: None,
        price_pence,
        offer_id: None,
        responses,
    };
    service::bids::submit(&demo.at(at), bidder, tender.id, &input).await
}

/// A supplier asks a question two days before loading; the lead answers it the day after.
async fn question(
    demo: &Demo,
    tender: &Tender,
    asker: &Actor,
    text: &str,
    answer: Option<(&Actor, &str)>,
) -> Result<(), ServiceError> {
    let asked = service::clarifications::ask(
        &demo.at(demo.now() - Duration::days(2)),
        asker,
        tender.id,
        text,
    )
    .await?;
    if let Some((lead, answer)) = answer {
        service::clarifications::answer(
            &demo.at(demo.now() - Duration::days(1)),
            lead,
            tender.id,
            asked.clarification.id,
            answer,
        )
        .await?;
    }
    Ok(())
}

/// Loads the Norfolk and Waveney tenders.
pub(crate) async fn load(demo: &Demo) -> Result<(), ServiceError> {
    let now = demo.now();
    let days_ago = |days: i64| now - Duration::days(days);
    let anglia = demo.actor("bids@anglia.nhs.example")?;
    let necsu = demo.actor("bids@necsu.nhs.example")?;
    let agem = demo.actor("bids@agem.nhs.example")?;
    let insight = demo.actor("bids@insight.example")?;

    // A draft the Norwich lead is still writing.
    let norwich = demo.actor("lead@norwich-ccg.nhs.example")?;
    draft(
        demo,
        days_ago(1),
        &norwich,
        &DemoTender {
            title: "Continuing healthcare assessment and review support",
            description: "Clinical nurse assessors to clear the backlog of NHS Continuing \
                          Healthcare reviews across Norwich, with a trusted-assessor model.",
            category: "continuing_healthcare",
            estimated_value_pence: 48_000_000,
            budget_ceiling_pence: Some(55_000_000),
            contract_term_months: 18,
            clarification_days: 24,
            submission_days: 30,
        },
        &[],
    )
    .await?;

    // An open tender taking bids, with questions asked and answered.
    let north_norfolk = demo.actor("lead@north-norfolk-ccg.nhs.example")?;
    let open = draft(
        demo,
        days_ago(4),
        &north_norfolk,
        &DemoTender {
            title: "Procurement and contract management support",
            description: "A procurement service for the CCG's community and primary care \
                          contracts: sourcing strategy, tender management under PSR, and \
                          contract management of 40 providers.",
            category: "procurement",
            estimated_value_pence: 36_000_000,
            budget_ceiling_pence: Some(42_000_000),
            contract_term_months: 24,
            // Above threshold: bids close 25 days after the tender notice at the earliest.
            clarification_days: 16,
            submission_days: 23,
        },
        &[],
    )
    .await?;
    let open = publish(demo, days_ago(3), &north_norfolk, &open).await?;
    question(
        demo,
        &open,
        &anglia,
        "Does the service include the GP practice contracts (GMS/PMS/APMS)?",
        Some((
            &north_norfolk,
            "Yes: the 18 practice contracts are in scope; enhanced services are not.",
        )),
    )
    .await?;
    question(
        demo,
        &open,
        &necsu,
        "Is TUPE expected to apply to the CCG's contracts officer post?",
        None,
    )
    .await?;
    let anglia_bid = bid(demo, now - Duration::hours(20), &anglia, &open, 33_500_000).await?;
    method_statement(demo, now - Duration::hours(19), &anglia, &open, &anglia_bid).await?;
    bid(demo, now - Duration::hours(3), &necsu, &open, 35_900_000).await?;

    // An invited tender taking bids.
    let south_norfolk = demo.actor("lead@south-norfolk-ccg.nhs.example")?;
    let invited = draft(
        demo,
        days_ago(3),
        &south_norfolk,
        &DemoTender {
            title: "Population health analytics for frailty",
            description: "Linked primary, community and acute data to find and stratify frail \
                          patients, with dashboards for the integrated neighbourhood teams.",
            category: "data_analysis_bi",
            // Below the sub-central threshold: quotations may be invited.
            estimated_value_pence: 18_000_000,
            budget_ceiling_pence: None,
            contract_term_months: 12,
            clarification_days: 7,
            submission_days: 10,
        },
        &[anglia.organisation_id, insight.organisation_id],
    )
    .await?;
    let invited = publish(demo, days_ago(2), &south_norfolk, &invited).await?;
    bid(
        demo,
        now - Duration::hours(6),
        &insight,
        &invited,
        16_900_000,
    )
    .await?;

    // Closed with bids: in evaluation by the clock.
    let west_norfolk = demo.actor("lead@west-norfolk-ccg.nhs.example")?;
    let closed = draft(
        demo,
        days_ago(31),
        &west_norfolk,
        &DemoTender {
            title: "Transactional finance and payroll services",
            description: "Accounts payable and receivable, payroll for 160 staff, and the \
                          month-end close, on the CCG's ledger.",
            category: "finance",
            estimated_value_pence: 54_000_000,
            budget_ceiling_pence: Some(60_000_000),
            contract_term_months: 36,
            clarification_days: -9,
            submission_days: -3,
        },
        &[],
    )
    .await?;
    let closed = publish(demo, days_ago(30), &west_norfolk, &closed).await?;
    bid(demo, days_ago(5), &agem, &closed, 51_200_000).await?;
    let necsu_bid = bid(demo, days_ago(4), &necsu, &closed, 49_750_000).await?;
    method_statement(
        demo,
        days_ago(4) + Duration::hours(1),
        &necsu,
        &closed,
        &necsu_bid,
    )
    .await?;
    let last = days_ago(3) - Duration::hours(2);
    bid(demo, last, &anglia, &closed, 53_100_000).await?;

    // Closed with no bid: unsuccessful by the clock.
    let gyw = demo.actor("lead@gyw-ccg.nhs.example")?;
    let unanswered = draft(
        demo,
        days_ago(36),
        &gyw,
        &DemoTender {
            title: "HR advisory and employee relations",
            description: "Case management for employee relations, policy review and \
                          organisational change advice for a 90-person CCG.",
            category: "hr",
            estimated_value_pence: 9_500_000,
            budget_ceiling_pence: None,
            contract_term_months: 12,
            clarification_days: -12,
            submission_days: -6,
        },
        &[],
    )
    .await?;
    publish(demo, days_ago(35), &gyw, &unanswered).await?;

    // Cancelled while open.
    let withdrawn = draft(
        demo,
        days_ago(6),
        &norwich,
        &DemoTender {
            title: "IT service desk and end-user computing",
            description: "First and second line IT support for 200 users across three sites.",
            category: "it",
            estimated_value_pence: 28_000_000,
            budget_ceiling_pence: None,
            contract_term_months: 24,
            clarification_days: 15,
            submission_days: 20,
        },
        &[],
    )
    .await?;
    let withdrawn = publish(demo, days_ago(5), &norwich, &withdrawn).await?;
    service::tenders::cancel(
        &demo.at(days_ago(2)),
        &norwich,
        withdrawn.id,
        "The five Norfolk and Waveney CCGs will buy IT support jointly from April; this \
         requirement moves into the joint tender.",
    )
    .await?;
    Ok(())
}
