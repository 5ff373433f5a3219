//! The Procurement Act's procedures as the domain parses and authorises them: a competitive
//! flexible procedure's participation stage, a direct award's terms, and who bids in each.

use super::tests::{actor, at, criterion, fields};
use super::*;

#[test]
fn in_a_competitive_flexible_procedure_everyone_sees_the_tender_and_only_the_admitted_bid() {
    let buyer = OrganisationId::new();
    let admitted = OrganisationId::new();
    let refused = OrganisationId::new();
    // Before the shortlist nobody is admitted; after it, the admitted are its invitations.
    let mut tender = TenderScope {
        buyer,
        procedure: Procedure::CompetitiveFlexible,
        invited: Vec::new(),
        status: TenderStatus::Published,
    };
    for supplier in [admitted, refused] {
        let who = actor(Role::SupplierBidder, supplier);
        assert!(can_view_tender(&who, &tender));
        assert!(!can_bid(&who, &tender), "no bid before the shortlist");
    }
    tender.invited = vec![admitted];
    assert!(can_bid(&actor(Role::SupplierBidder, admitted), &tender));
    assert!(!can_bid(&actor(Role::SupplierBidder, refused), &tender));
    assert!(can_view_tender(
        &actor(Role::SupplierBidder, refused),
        &tender
    ));
    assert!(can_view_tender(&actor(Role::BuyerLead, refused), &tender));
    // Any supplier asks questions until the shortlist; then only the admitted.
    let refused_supplier = actor(Role::SupplierBidder, refused);
    assert!(can_ask_questions(&refused_supplier, &tender, false));
    assert!(!can_ask_questions(&refused_supplier, &tender, true));
    assert!(can_ask_questions(
        &actor(Role::SupplierBidder, admitted),
        &tender,
        true
    ));
    assert!(!can_ask_questions(
        &actor(Role::BuyerLead, refused),
        &tender,
        false
    ));
}

#[test]
fn a_competitive_flexible_procedure_needs_its_participation_stage_and_no_other_procedure_has_one() {
    let criteria = [
        criterion("Price", "price", 60),
        criterion("Quality", "quality", 40),
    ];
    let mut cfp = fields(&criteria, &[]);
    cfp.procedure = Procedure::CompetitiveFlexible;
    let Err(DomainError::Validation(errors)) = TenderSpec::parse(&cfp) else {
        panic!("a competitive flexible procedure without its stage parsed");
    };
    let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/expression_of_interest_deadline",
            "/conditions_of_participation"
        ]
    );
    cfp.conditions_of_participation = Some("Two years of NHS procurement support.");
    cfp.expression_of_interest_deadline = Some(at(12));
    let Err(DomainError::Validation(errors)) = TenderSpec::parse(&cfp) else {
        panic!("requests closing with the bids parsed");
    };
    assert_eq!(errors[0].pointer, "/expression_of_interest_deadline");
    cfp.expression_of_interest_deadline = Some(at(5));
    let spec = TenderSpec::parse(&cfp).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        spec.participation,
        Some(Participation {
            expression_of_interest_deadline: at(5),
            conditions: "Two years of NHS procurement support.".to_owned(),
        })
    );
    let mut open = cfp.clone();
    open.procedure = Procedure::Open;
    let Err(DomainError::Validation(errors)) = TenderSpec::parse(&open) else {
        panic!("an open tender with a participation stage parsed");
    };
    assert_eq!(errors.len(), 2);
}

#[test]
fn a_direct_award_names_its_ground_and_supplier_and_has_no_criteria_or_deadlines() {
    let supplier = OrganisationId::new();
    let mut direct = fields(&[], &[]);
    direct.procedure = Procedure::DirectAward;
    let Err(DomainError::Validation(errors)) = TenderSpec::parse(&direct) else {
        panic!("a direct award with deadlines and no terms parsed");
    };
    let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/clarification_deadline",
            "/submission_deadline",
            "/direct_award_ground",
            "/direct_award_justification",
            "/direct_award_supplier_id"
        ]
    );
    direct.clarification_deadline = None;
    direct.submission_deadline = None;
    direct.direct_award_ground = Some(DirectAwardGround::ExtremeUrgency);
    direct.direct_award_justification = Some("The incumbent's insolvency left no service.");
    direct.direct_award_supplier_id = Some(supplier);
    let spec = TenderSpec::parse(&direct).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spec.deadlines, None);
    assert_eq!(spec.criteria.iter().count(), 0);
    assert_eq!(
        spec.direct_award.as_ref().map(|d| d.ground.paragraph()),
        Some(13)
    );
    // Criteria are refused; and no other procedure takes direct award terms.
    let criteria = [criterion("Price", "price", 100)];
    let mut with_criteria = direct.clone();
    with_criteria.criteria = &criteria;
    assert!(TenderSpec::parse(&with_criteria).is_err());
    let mut open = direct.clone();
    open.procedure = Procedure::Open;
    open.clarification_deadline = Some(at(9));
    open.submission_deadline = Some(at(12));
    open.criteria = &criteria;
    let Err(DomainError::Validation(errors)) = TenderSpec::parse(&open) else {
        panic!("an open tender with direct award terms parsed");
    };
    assert_eq!(errors.len(), 3);
    // Every ground reads its code and cites its paragraph.
    for (code, paragraph) in [
        ("exclusive_rights", 5),
        ("technical_reasons", 6),
        ("additional_supply", 7),
        ("repeat_supply", 8),
        ("extreme_urgency", 13),
    ] {
        let ground: DirectAwardGround = code.parse().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((ground.as_str(), ground.paragraph()), (code, paragraph));
    }
    assert_eq!(
        TenderStatus::Draft.publish_direct_award(),
        Ok(TenderStatus::Standstill)
    );
    assert!(TenderStatus::Published.publish_direct_award().is_err());
}
