//! The demo's Procurement Act story on the Norfolk and Waveney CCGs: West Norfolk engages the
//! market (UK2) and plans (UK3) a joint IT service desk, then runs it as a competitive flexible
//! procedure whose requests to participate are coming in; South Norfolk directly awards urgent
//! continuing healthcare reviews (UK5, in its standstill); Great Yarmouth and Waveney's interim
//! direct award was contracted (UK7) and then terminated (UK11); and the clock settles the tender
//! that closed with no bid (UK12). The awards' UK6 and UK7 and the takeover's UK10 come from
//! their own commands.

use super::Demo;
use chrono::{DateTime, Duration, Utc};
use domain::access::Actor;
use domain::notice::{BuyerNoticeFields, NoticeType};
use domain::organisation::Region;
use domain::tender::{DirectAwardGround, NewCriterion, Procedure, TenderFields, TenderSpec};
use persistence::tenders::Tender;
use service::{Expected, ServiceError};

fn criteria() -> Vec<NewCriterion> {
    [
        ("Price", "price", 40),
        ("Service design and mobilisation", "quality", 40),
        ("Social value", "quality", 20),
    ]
    .iter()
    .map(|(name, kind, weight)| NewCriterion {
        name: (*name).to_owned(),
        kind: (*kind).to_owned(),
        weight: *weight,
    })
    .collect()
}

/// The lead drafts `fields` at `at` and publishes it at `publish_at`.
async fn draft_and_publish(
    demo: &Demo,
    lead: &Actor,
    fields: &TenderFields<'_>,
    at: DateTime<Utc>,
    publish_at: DateTime<Utc>,
) -> Result<Tender, ServiceError> {
    let spec = TenderSpec::parse(fields)?;
    let draft = service::tenders::create(&demo.at(at), lead, &spec)
        .await?
        .tender;
    let expected = Expected::version(draft.version);
    Ok(
        service::tenders::publish(&demo.at(publish_at), lead, draft.id, &expected)
            .await?
            .tender,
    )
}

/// Why the demo's undivided tenders are not divided into lots (s.18).
pub(super) const ONE_SERVICE: &str = "One integrated service for one commissioner: dividing it \
    would duplicate mobilisation and management costs and split accountability for delivery.";

fn fields<'a>(
    title: &'a str,
    description: &'a str,
    category: &'a str,
    estimated_value_pence: i64,
    procedure: Procedure,
    criteria: &'a [NewCriterion],
) -> TenderFields<'a> {
    let mut fields = TenderFields::new(
        title,
        description,
        category,
        Region::EastOfEngland,
        estimated_value_pence,
        12,
        procedure,
        criteria,
    );
    fields.no_lots_rationale = Some(ONE_SERVICE);
    fields
}

pub(crate) async fn load(demo: &Demo) -> Result<(), ServiceError> {
    let now = demo.now();
    let days_ago = |days: i64| now - Duration::days(days);
    let west_norfolk = demo.actor("lead@west-norfolk-ccg.nhs.example")?;
    let anglia = demo.actor("bids@anglia.nhs.example")?;
    let necsu = demo.actor("bids@necsu.nhs.example")?;
    let agem = demo.actor("bids@agem.nhs.example")?;

    // Market engagement, then the planned procurement, for a joint IT service desk.
    service::notices::publish_buyer_notice(
        &demo.at(days_ago(75)),
        &west_norfolk,
        &BuyerNoticeFields {
            notice_type: NoticeType::Uk2,
            title: "Joint IT service desk for the Norfolk and Waveney CCGs".to_owned(),
            description: "Supplier engagement sessions on a single service desk for the five \
                          CCGs' 900 users: service levels, transition from five contracts, and \
                          the move to the integrated care board."
                .to_owned(),
            category: "it".to_owned(),
            region: Region::EastOfEngland,
            engagement_deadline: Some(days_ago(60)),
            estimated_value_pence: None,
            expected_tender_notice_date: None,
        },
    )
    .await?;
    let planned = service::notices::publish_buyer_notice(
        &demo.at(days_ago(55)),
        &west_norfolk,
        &BuyerNoticeFields {
            notice_type: NoticeType::Uk3,
            title: "Joint IT service desk for the Norfolk and Waveney CCGs".to_owned(),
            description: "A competitive flexible procedure for a three-year service desk \
                          contract covering all five CCGs."
                .to_owned(),
            category: "it".to_owned(),
            region: Region::EastOfEngland,
            engagement_deadline: None,
            estimated_value_pence: Some(60_000_000),
            expected_tender_notice_date: Some(days_ago(5).date_naive()),
        },
    )
    .await?;

    // The competitive flexible procedure: requests to participate close 26 days after the
    // tender notice (the participation period is at least 25 days above threshold, s.54(3)).
    let published_at = days_ago(5);
    let joint_criteria = criteria();
    let mut cfp = fields(
        "Joint IT service desk for the Norfolk and Waveney CCGs",
        "First and second line IT support for the five CCGs' 900 users across 14 sites, with \
         a single service desk, asset management and the transition from five contracts.",
        "it",
        60_000_000,
        Procedure::CompetitiveFlexible,
        &joint_criteria,
    );
    cfp.contract_term_months = 36;
    cfp.expression_of_interest_deadline = Some(published_at + Duration::days(26));
    cfp.clarification_deadline = Some(published_at + Duration::days(50));
    cfp.submission_deadline = Some(published_at + Duration::days(70));
    cfp.conditions_of_participation = Some(
        "An IT service desk for at least 500 NHS users for two years; Cyber Essentials Plus; \
         the NHS Data Security and Protection Toolkit at 'standards met'.",
    );
    cfp.planned_procurement_notice_id = Some(planned.notice.id);
    let joint = draft_and_publish(demo, &west_norfolk, &cfp, days_ago(6), published_at).await?;
    for (at, supplier, statement) in [
        (
            days_ago(2),
            &anglia,
            "We run the service desk for 1,200 users in three East of England CCGs; Cyber \
             Essentials Plus since 2021; DSPT standards met.",
        ),
        (
            days_ago(1),
            &necsu,
            "Our service desk supports 4,000 NHS users across the North East; Cyber Essentials \
             Plus and DSPT standards exceeded.",
        ),
    ] {
        service::participation::request(&demo.at(at), supplier, joint.id, statement).await?;
    }

    // A direct award in its standstill: urgent continuing healthcare reviews.
    let south_norfolk = demo.actor("lead@south-norfolk-ccg.nhs.example")?;
    let mut urgent = fields(
        "Urgent continuing healthcare review capacity",
        "Nurse assessors for 120 overdue NHS Continuing Healthcare reviews after the in-house \
         team's sudden loss of four assessors.",
        "continuing_healthcare",
        9_000_000,
        Procedure::DirectAward,
        &[],
    );
    urgent.contract_term_months = 6;
    urgent.direct_award_ground = Some(DirectAwardGround::ExtremeUrgency);
    urgent.direct_award_justification = Some(
        "Four of five assessors left within a month; reviews past their statutory date put \
         patients' funding at risk. No competition could run in time.",
    );
    urgent.direct_award_supplier_id = Some(agem.organisation_id);
    draft_and_publish(demo, &south_norfolk, &urgent, days_ago(3), days_ago(2)).await?;

    // An interim direct award, contracted after its standstill and then terminated early.
    let gyw = demo.actor("lead@gyw-ccg.nhs.example")?;
    let mut interim = fields(
        "Interim information governance support",
        "Data protection officer cover and DSPT submission support while the CCG recruits.",
        "information_governance",
        6_000_000,
        Procedure::DirectAward,
        &[],
    );
    interim.direct_award_ground = Some(DirectAwardGround::AdditionalSupply);
    interim.direct_award_justification = Some(
        "The existing information governance supplier extends its service: a change of \
         supplier mid-submission would leave the DSPT return incomplete.",
    );
    interim.direct_award_supplier_id = Some(necsu.organisation_id);
    let interim = draft_and_publish(demo, &gyw, &interim, days_ago(91), days_ago(90)).await?;
    let contract = service::awards::confirm_contract(
        &demo.at(days_ago(70)),
        &gyw,
        interim.id,
        None,
        days_ago(69).date_naive(),
        None,
    )
    .await?
    .into_contract()?;
    service::contracts::terminate(
        &demo.at(days_ago(10)),
        &gyw,
        contract.contract.id,
        "The permanent data protection officer started; the interim service ended early by \
         agreement.",
    )
    .await?;

    // The clock settles the tenders past their deadline: the one with no bid publishes its
    // procurement termination notice.
    service::tenders::settle_due(&demo.at(now)).await?;
    Ok(())
}
