//! The demo's tenders: the five Norfolk and Waveney CCGs buying support, with a tender in each
//! state a competition reaches before award — a draft, open tenders (one invited) with
//! clarifications and sealed bids, one closed with bids awaiting evaluation, one that closed
//! with none, and one cancelled.
//!
//! Open tenders go through the same audited code as the API. The closed ones are history: they
//! were published and bid on weeks before the demo was loaded, so their times are set in the
//! past, which no client can do; each step is still audited.

use chrono::{DateTime, Duration, Utc};
use domain::audit::AuditEntry;
use domain::bid::{BidContent, NewResponse};
use domain::ids::{OrganisationId, UserId};
use domain::organisation::Region;
use domain::tender::{NewCriterion, Procedure, TenderFields, TenderSpec, TenderStatus};
use persistence::Command;
use persistence::tenders::{Tender, Transition};
use service::ServiceError;
use service::bids::audit_value;
use service::tenders::{cancel_in, create_in, publish_in};

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

pub(super) async fn draft(
    command: &Command,
    buyer: OrganisationId,
    demo: &DemoTender,
    invited: &[OrganisationId],
) -> Result<Tender, ServiceError> {
    let now = command.now();
    // Each buyer tenders in its own region.
    let region = persistence::organisations::get(command.conn(), buyer)
        .await?
        .region
        .unwrap_or(Region::EastOfEngland);
    let spec = TenderSpec::parse(&TenderFields {
        title: demo.title,
        description: demo.description,
        category: demo.category,
        region,
        estimated_value_pence: demo.estimated_value_pence,
        budget_ceiling_pence: demo.budget_ceiling_pence,
        contract_term_months: demo.contract_term_months,
        procedure: if invited.is_empty() {
            Procedure::Open
        } else {
            Procedure::Invited
        },
        invited_supplier_ids: invited,
        criteria: &criteria(),
        clarification_deadline: now + Duration::days(demo.clarification_days),
        submission_deadline: now + Duration::days(demo.submission_days),
        standstill_days: None,
    })?;
    let shown = create_in(command, None, buyer, &spec).await?;
    Ok(shown.tender)
}

/// Publishes a tender whose deadlines have already passed, as history: published `days_ago`.
pub(super) async fn published_in_the_past(
    command: &Command,
    tender: Tender,
    days_ago: i64,
) -> Result<Tender, ServiceError> {
    let published = persistence::tenders::set_status(
        command.conn(),
        &tender,
        TenderStatus::Published,
        Transition::default(),
        command.now() - Duration::days(days_ago),
    )
    .await?;
    command
        .audit(
            AuditEntry::new(None, "tender.published", "tender", published.id).after(
                serde_json::json!({"status": "published", "published_at": published.published_at}),
            ),
        )
        .await?;
    Ok(published)
}

pub(super) async fn bid(
    command: &Command,
    tender: &Tender,
    supplier: OrganisationId,
    by: UserId,
    price_pence: i64,
    at: DateTime<Utc>,
) -> Result<persistence::bids::Bid, ServiceError> {
    let responses: Vec<NewResponse> = tender
        .criteria
        .iter()
        .filter(|c| c.kind == domain::tender::CriterionKind::Quality)
        .map(|c| NewResponse {
            criterion_id: c.id,
            text: format!(
                "Our response on {}: a named team, a mobilisation plan in the first 30 days, \
                 and monthly reporting to the CCG's governing body.",
                c.name.to_lowercase()
            ),
        })
        .collect();
    let content = BidContent::parse(price_pence, &responses, &tender.criteria_kinds())?;
    let stored =
        persistence::bids::insert(command.conn(), tender.id, supplier, &content, None, by, at)
            .await?;
    command
        .audit(AuditEntry::new(None, "bid.submitted", "bid", stored.id).after(audit_value(&stored)))
        .await?;
    Ok(stored)
}

async fn question(
    command: &Command,
    tender: &Tender,
    asker: OrganisationId,
    asked_by: UserId,
    text: &str,
    answer: Option<(UserId, &str)>,
) -> Result<(), ServiceError> {
    let asked = persistence::tenders::insert_clarification(
        command.conn(),
        tender.id,
        asker,
        asked_by,
        text,
        command.now() - Duration::days(2),
    )
    .await?;
    command
        .audit(AuditEntry::new(
            None,
            "clarification.asked",
            "clarification",
            asked.id.as_uuid(),
        ))
        .await?;
    if let Some((by, answer)) = answer {
        persistence::tenders::answer_clarification(
            command.conn(),
            &asked,
            answer,
            by,
            command.now() - Duration::days(1),
        )
        .await?;
        command
            .audit(AuditEntry::new(
                None,
                "clarification.answered",
                "clarification",
                asked.id.as_uuid(),
            ))
            .await?;
    }
    Ok(())
}

/// Loads the Norfolk and Waveney tenders. `org` and `user` look up the demo's organisations and
/// logins by key and email.
pub(crate) async fn load(
    command: &Command,
    org: &dyn Fn(&str) -> Result<OrganisationId, ServiceError>,
    user: &dyn Fn(&str) -> Result<UserId, ServiceError>,
) -> Result<(), ServiceError> {
    let now = command.now();
    let anglia = org("anglia")?;
    let necsu = org("necsu")?;
    let agem = org("agem")?;
    let insight = org("insight")?;
    let anglia_bidder = user("bids@anglia.nhs.example")?;
    let necsu_bidder = user("bids@necsu.nhs.example")?;
    let agem_bidder = user("bids@agem.nhs.example")?;
    let insight_bidder = user("bids@insight.example")?;

    // A draft the Norwich lead is still writing.
    draft(
        command,
        org("norwich_ccg")?,
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
    let open = draft(
        command,
        org("north_norfolk_ccg")?,
        &DemoTender {
            title: "Procurement and contract management support",
            description: "A procurement service for the CCG's community and primary care \
                          contracts: sourcing strategy, tender management under PSR, and \
                          contract management of 40 providers.",
            category: "procurement",
            estimated_value_pence: 36_000_000,
            budget_ceiling_pence: Some(42_000_000),
            contract_term_months: 24,
            clarification_days: 10,
            submission_days: 14,
        },
        &[],
    )
    .await?;
    publish_in(command, None, open.clone(), TenderStatus::Published).await?;
    let north_norfolk_lead = user("lead@north-norfolk-ccg.nhs.example")?;
    question(
        command,
        &open,
        anglia,
        anglia_bidder,
        "Does the service include the GP practice contracts (GMS/PMS/APMS)?",
        Some((
            north_norfolk_lead,
            "Yes: the 18 practice contracts are in scope; enhanced services are not.",
        )),
    )
    .await?;
    question(
        command,
        &open,
        necsu,
        necsu_bidder,
        "Is TUPE expected to apply to the CCG's contracts officer post?",
        None,
    )
    .await?;
    bid(
        command,
        &open,
        anglia,
        anglia_bidder,
        33_500_000,
        now - Duration::hours(20),
    )
    .await?;
    bid(
        command,
        &open,
        necsu,
        necsu_bidder,
        35_900_000,
        now - Duration::hours(3),
    )
    .await?;

    // An invited tender taking bids.
    let invited = draft(
        command,
        org("south_norfolk_ccg")?,
        &DemoTender {
            title: "Population health analytics for frailty",
            description: "Linked primary, community and acute data to find and stratify frail \
                          patients, with dashboards for the integrated neighbourhood teams.",
            category: "data_analysis_bi",
            estimated_value_pence: 22_000_000,
            budget_ceiling_pence: None,
            contract_term_months: 12,
            clarification_days: 7,
            submission_days: 10,
        },
        &[anglia, insight],
    )
    .await?;
    publish_in(command, None, invited.clone(), TenderStatus::Published).await?;
    bid(
        command,
        &invited,
        insight,
        insight_bidder,
        19_800_000,
        now - Duration::hours(6),
    )
    .await?;

    // Closed with bids: in evaluation by the clock.
    let closed = draft(
        command,
        org("west_norfolk_ccg")?,
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
    let closed = published_in_the_past(command, closed, 30).await?;
    bid(
        command,
        &closed,
        agem,
        agem_bidder,
        51_200_000,
        now - Duration::days(5),
    )
    .await?;
    bid(
        command,
        &closed,
        necsu,
        necsu_bidder,
        49_750_000,
        now - Duration::days(4),
    )
    .await?;
    bid(
        command,
        &closed,
        anglia,
        anglia_bidder,
        53_100_000,
        now - Duration::days(3) - Duration::hours(2),
    )
    .await?;

    // Closed with no bid: unsuccessful by the clock.
    let unanswered = draft(
        command,
        org("gyw_ccg")?,
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
    published_in_the_past(command, unanswered, 35).await?;

    // Cancelled while open.
    let withdrawn = draft(
        command,
        org("norwich_ccg")?,
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
    publish_in(command, None, withdrawn.clone(), TenderStatus::Published).await?;
    let withdrawn = persistence::tenders::find(command.conn(), withdrawn.id)
        .await?
        .ok_or_else(|| ServiceError::Internal("demo tender vanished".into()))?;
    cancel_in(
        command,
        None,
        withdrawn,
        TenderStatus::Cancelled,
        "The five Norfolk and Waveney CCGs will buy IT support jointly from April; this \
         requirement moves into the joint tender."
            .to_owned(),
    )
    .await?;
    Ok(())
}
