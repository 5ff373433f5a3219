//! The tender rules, case by case.

use super::*;
use crate::ids::UserId;
use chrono::TimeZone;

pub(super) fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
        .single()
        .unwrap_or_default()
}

pub(super) fn criterion(name: &str, kind: &str, weight: i64) -> NewCriterion {
    NewCriterion {
        name: name.to_owned(),
        kind: kind.to_owned(),
        weight,
    }
}

fn pointers(error: DomainError) -> Vec<String> {
    match error {
        DomainError::Validation(errors) => errors.into_iter().map(|e| e.pointer).collect(),
        other => vec![format!("not a validation error: {other}")],
    }
}

#[test]
fn one_price_criterion_and_weights_summing_to_100_are_accepted() {
    let criteria = Criteria::new(&[
        criterion("Price", "price", 40),
        criterion("Delivery", "quality", 35),
        criterion("Social value", "quality", 25),
    ]);
    let criteria = criteria.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(criteria.iter().count(), 3);
    assert_eq!(criteria.price().weight.percent(), 40);
}

#[test]
fn weights_not_summing_to_100_are_refused() {
    let error = Criteria::new(&[
        criterion("Price", "price", 40),
        criterion("Quality", "quality", 50),
    ]);
    assert_eq!(error.map_err(pointers), Err(vec!["/criteria".to_owned()]));
}

#[test]
fn two_price_criteria_or_none_are_refused() {
    let two = Criteria::new(&[
        criterion("Price", "price", 50),
        criterion("Whole-life cost", "price", 50),
    ]);
    assert_eq!(two.map_err(pointers), Err(vec!["/criteria".to_owned()]));
    let none = Criteria::new(&[criterion("Quality", "quality", 100)]);
    assert_eq!(none.map_err(pointers), Err(vec!["/criteria".to_owned()]));
    let empty = Criteria::new(&[]);
    assert_eq!(empty.map_err(pointers), Err(vec!["/criteria".to_owned()]));
}

#[test]
fn each_bad_criterion_field_is_pointed_at() {
    let error = Criteria::new(&[
        criterion("Price", "price", 0),
        criterion(" ", "quality", 60),
        criterion("Price", "cost", 40),
    ]);
    let found = error.map_err(pointers).err().unwrap_or_default();
    for expected in [
        "/criteria/0/weight",
        "/criteria/1/name",
        "/criteria/2/name",
        "/criteria/2/kind",
    ] {
        assert!(
            found.contains(&expected.to_owned()),
            "{expected} in {found:?}"
        );
    }
}

#[test]
fn deadlines_in_the_wrong_order_are_refused() {
    assert!(Deadlines::new(at(10), at(12)).is_ok());
    assert!(Deadlines::new(at(12), at(12)).is_ok());
    assert_eq!(
        Deadlines::new(at(13), at(12)).map_err(pointers),
        Err(vec!["/clarification_deadline".to_owned()])
    );
}

#[test]
fn publishing_needs_both_deadlines_ahead() {
    let deadlines = Deadlines::new(at(10), at(12)).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(deadlines.check_ahead_of(at(9)).is_ok());
    assert_eq!(
        deadlines.check_ahead_of(at(10)).map_err(pointers),
        Err(vec!["/clarification_deadline".to_owned()])
    );
    assert_eq!(
        deadlines.check_ahead_of(at(12)).map_err(pointers),
        Err(vec![
            "/clarification_deadline".to_owned(),
            "/submission_deadline".to_owned()
        ])
    );
}

#[test]
fn an_amendment_extends_deadlines_and_never_shortens_them() {
    let deadlines = Deadlines::new(at(10), at(12)).unwrap_or_else(|e| panic!("{e:?}"));
    let later = deadlines.extended(None, Some(at(15)));
    assert_eq!(later.map(|d| d.submission()), Ok(at(15)));
    assert_eq!(
        deadlines.extended(None, Some(at(11))).map_err(pointers),
        Err(vec!["/submission_deadline".to_owned()])
    );
    assert_eq!(
        deadlines.extended(Some(at(9)), None).map_err(pointers),
        Err(vec!["/clarification_deadline".to_owned()])
    );
    assert!(
        deadlines.extended(Some(at(13)), None).is_err(),
        "order holds"
    );
}

#[test]
fn an_amendment_reopens_bids_when_it_moves_the_deadline_or_changes_the_text() {
    let before = Deadlines::new(at(10), at(12)).unwrap_or_else(|e| panic!("{e:?}"));
    let questions_later = before
        .extended(Some(at(11)), None)
        .unwrap_or_else(|e| panic!("{e:?}"));
    let bids_later = before
        .extended(None, Some(at(14)))
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!amendment_needs_confirmation(
        &before,
        &questions_later,
        false
    ));
    assert!(amendment_needs_confirmation(&before, &bids_later, false));
    assert!(amendment_needs_confirmation(&before, &before, true));
}

#[test]
fn standstill_is_0_to_30_working_days() {
    assert_eq!(StandstillDays::DEFAULT.days(), 8);
    assert!(StandstillDays::new(0).is_ok());
    assert!(StandstillDays::new(30).is_ok());
    assert!(StandstillDays::new(31).is_err());
    assert!(StandstillDays::new(-1).is_err());
}

#[test]
fn a_published_tender_closes_by_the_clock() {
    let published = TenderStatus::Published;
    assert_eq!(published.at(at(12), at(11), true), TenderStatus::Published);
    assert_eq!(published.at(at(12), at(12), true), TenderStatus::Evaluation);
    assert_eq!(
        published.at(at(12), at(13), false),
        TenderStatus::Unsuccessful
    );
    for other in TenderStatus::ALL {
        if other != TenderStatus::Published {
            assert_eq!(other.at(at(12), at(13), true), other, "{other}");
        }
    }
}

type Transition = fn(TenderStatus) -> Result<TenderStatus, DomainError>;

#[test]
fn every_transition_is_allowed_from_exactly_its_states() {
    use TenderStatus::*;
    let table: [(&str, Transition, &[TenderStatus], TenderStatus); 6] = [
        ("publish", TenderStatus::publish, &[Draft], Published),
        (
            "cancel",
            TenderStatus::cancel,
            &[Draft, Published, Evaluation, Standstill],
            Cancelled,
        ),
        (
            "start_standstill",
            TenderStatus::start_standstill,
            &[Evaluation],
            Standstill,
        ),
        (
            "confirm_award",
            TenderStatus::confirm_award,
            &[Standstill],
            Awarded,
        ),
        ("fail", TenderStatus::fail, &[Evaluation], Unsuccessful),
        (
            "reopen_evaluation",
            TenderStatus::reopen_evaluation,
            &[Standstill],
            Evaluation,
        ),
    ];
    for (name, transition, allowed, to) in table {
        for from in TenderStatus::ALL {
            let result = transition(from);
            if allowed.contains(&from) {
                assert_eq!(result, Ok(to), "{name} from {from}");
            } else {
                assert!(
                    matches!(result, Err(DomainError::Conflict(_))),
                    "{name} from {from} must be refused"
                );
            }
        }
    }
}

#[test]
fn only_drafts_are_edited_and_only_published_tenders_amended() {
    for status in TenderStatus::ALL {
        assert_eq!(
            status.check_editable().is_ok(),
            status == TenderStatus::Draft,
            "{status}"
        );
        assert_eq!(
            status.check_amendable().is_ok(),
            status == TenderStatus::Published,
            "{status}"
        );
    }
}

#[test]
fn final_states_are_final() {
    for status in TenderStatus::ALL {
        let leaves = [
            status.publish(),
            status.cancel(),
            status.start_standstill(),
            status.confirm_award(),
            status.fail(),
        ]
        .iter()
        .any(Result::is_ok);
        assert_eq!(status.is_final(), !leaves, "{status}");
    }
}

#[test]
fn statuses_round_trip_through_their_names() {
    for status in TenderStatus::ALL {
        assert_eq!(status.as_str().parse::<TenderStatus>(), Ok(status));
    }
    assert!("closed".parse::<TenderStatus>().is_err());
}

pub(super) fn actor(role: Role, organisation: OrganisationId) -> Actor {
    Actor {
        user_id: UserId::new(),
        organisation_id: organisation,
        role,
    }
}

#[test]
fn who_sees_a_tender_by_role_state_and_procedure() {
    use Role::*;
    let buyer = OrganisationId::new();
    let other_buyer = OrganisationId::new();
    let invited = OrganisationId::new();
    let uninvited = OrganisationId::new();
    // (viewer, role, organisation, sees a draft, sees a later open one, a later invited one)
    let table = [
        ("the buyer's lead", BuyerLead, buyer, true, true, true),
        (
            "the buyer's evaluator",
            BuyerEvaluator,
            buyer,
            true,
            true,
            true,
        ),
        (
            "another buyer's lead",
            BuyerLead,
            other_buyer,
            false,
            true,
            false,
        ),
        (
            "another buyer's evaluator",
            BuyerEvaluator,
            other_buyer,
            false,
            true,
            false,
        ),
        (
            "an invited supplier",
            SupplierBidder,
            invited,
            false,
            true,
            true,
        ),
        (
            "an uninvited supplier",
            SupplierBidder,
            uninvited,
            false,
            true,
            false,
        ),
        ("the regulator", Regulator, uninvited, false, true, true),
        ("an admin", Admin, uninvited, false, true, true),
    ];
    for (viewer, role, organisation, draft, open, invitation) in table {
        let who = actor(role, organisation);
        for status in TenderStatus::ALL {
            for procedure in [
                Procedure::Open,
                Procedure::CompetitiveFlexible,
                Procedure::DirectAward,
                Procedure::Invited,
            ] {
                let scope = TenderScope {
                    buyer,
                    procedure,
                    invited: vec![invited],
                    status,
                };
                let expected = match (status, procedure) {
                    (TenderStatus::Draft, _) => draft,
                    // A competitive flexible procedure is advertised like an open one.
                    // Competitive flexible and direct award are public like an open one.
                    (
                        _,
                        Procedure::Open | Procedure::CompetitiveFlexible | Procedure::DirectAward,
                    ) => open,
                    (_, Procedure::Invited) => invitation,
                };
                assert_eq!(
                    can_view_tender(&who, &scope),
                    expected,
                    "{viewer}, a {status} {} tender",
                    procedure.as_str()
                );
                assert_eq!(
                    TenderAudience::of(&who).admits(&scope),
                    expected,
                    "{viewer}'s list, a {status} {} tender",
                    procedure.as_str()
                );
            }
        }
    }
}

#[test]
fn only_the_buyers_own_people_and_oversight_see_confidential_fields() {
    use Role::*;
    let buyer = OrganisationId::new();
    let elsewhere = OrganisationId::new();
    let cases = [
        (BuyerLead, buyer, true),
        (BuyerEvaluator, buyer, true),
        (BuyerLead, elsewhere, false),
        (BuyerEvaluator, elsewhere, false),
        (SupplierBidder, elsewhere, false),
        (Regulator, elsewhere, true),
        (Admin, elsewhere, true),
    ];
    for (role, organisation, sees) in cases {
        assert_eq!(
            sees_confidential(&actor(role, organisation), buyer),
            sees,
            "{role} of {}",
            if organisation == buyer {
                "the buyer"
            } else {
                "another organisation"
            }
        );
    }
}

#[test]
fn bids_are_sealed_until_the_deadline_for_everyone_but_their_supplier() {
    use BidAccess::*;
    use Role::*;
    let buyer = OrganisationId::new();
    let other_buyer = OrganisationId::new();
    let supplier = OrganisationId::new();
    let platform = OrganisationId::new();
    use PanelStanding::*;
    // (role, organisation, standing on the panel, before the deadline, in evaluation, in
    // standstill)
    let table = [
        (
            SupplierBidder,
            supplier,
            NotOnPanel,
            OwnOnly,
            OwnOnly,
            OwnOnly,
        ),
        (BuyerLead, buyer, NotOnPanel, Sealed, All, All),
        (BuyerEvaluator, buyer, Cleared, Sealed, All, All),
        (
            BuyerEvaluator,
            buyer,
            Undeclared,
            Sealed,
            DeclarationNeeded,
            DeclarationNeeded,
        ),
        (BuyerEvaluator, buyer, Conflicted, Sealed, Never, Never),
        (BuyerEvaluator, buyer, NotOnPanel, Sealed, Never, Never),
        (BuyerEvaluator, other_buyer, Cleared, Never, Never, Never),
        (BuyerLead, other_buyer, NotOnPanel, Never, Never, Never),
        (Regulator, platform, NotOnPanel, Sealed, Sealed, All),
        (Admin, platform, NotOnPanel, Sealed, Sealed, All),
    ];
    for (role, organisation, standing, before, evaluation, standstill) in table {
        let who = actor(role, organisation);
        for (status, expected) in [
            (TenderStatus::Published, before),
            (TenderStatus::Evaluation, evaluation),
            (TenderStatus::Standstill, standstill),
        ] {
            let tender = TenderScope {
                buyer,
                procedure: Procedure::Invited,
                invited: vec![supplier],
                status,
            };
            assert_eq!(
                bid_access(&who, &tender, standing),
                expected,
                "{role:?} of {organisation} in {status}"
            );
        }
    }
}

#[test]
fn an_invited_tender_is_invisible_to_everyone_it_does_not_concern() {
    let buyer = OrganisationId::new();
    let invited = OrganisationId::new();
    let outsider = OrganisationId::new();
    let mut tender = TenderScope {
        buyer,
        procedure: Procedure::Invited,
        invited: vec![invited],
        status: TenderStatus::Published,
    };
    assert!(can_view_tender(
        &actor(Role::SupplierBidder, invited),
        &tender
    ));
    assert!(can_bid(&actor(Role::SupplierBidder, invited), &tender));
    assert!(!can_view_tender(
        &actor(Role::SupplierBidder, outsider),
        &tender
    ));
    assert!(!can_bid(&actor(Role::SupplierBidder, outsider), &tender));
    assert!(!can_view_tender(&actor(Role::BuyerLead, outsider), &tender));
    assert!(can_view_tender(&actor(Role::Regulator, outsider), &tender));
    assert_eq!(
        bid_access(
            &actor(Role::SupplierBidder, outsider),
            &tender,
            PanelStanding::NotOnPanel
        ),
        BidAccess::Never
    );
    tender.procedure = Procedure::Open;
    assert!(can_view_tender(
        &actor(Role::SupplierBidder, outsider),
        &tender
    ));
    assert!(can_view_tender(&actor(Role::BuyerLead, outsider), &tender));
    assert!(
        !can_bid(&actor(Role::BuyerLead, buyer), &tender),
        "buyers never bid"
    );
}

#[test]
fn a_draft_tender_is_its_buyers_alone() {
    let buyer = OrganisationId::new();
    let tender = TenderScope {
        buyer,
        procedure: Procedure::Open,
        invited: Vec::new(),
        status: TenderStatus::Draft,
    };
    for role in Role::ALL {
        let own = matches!(role, Role::BuyerLead | Role::BuyerEvaluator);
        assert_eq!(
            can_view_tender(&actor(role, buyer), &tender),
            own,
            "{role:?}"
        );
        assert!(
            !can_view_tender(&actor(role, OrganisationId::new()), &tender),
            "{role:?} elsewhere"
        );
    }
}

#[test]
fn a_cancellation_needs_a_reason() {
    assert!(cancellation_reason("  ").is_err());
    assert_eq!(
        cancellation_reason(" Requirement withdrawn by the board "),
        Ok("Requirement withdrawn by the board".to_owned())
    );
}

pub(super) fn fields<'a>(
    criteria: &'a [NewCriterion],
    invited: &'a [OrganisationId],
) -> TenderFields<'a> {
    let mut fields = TenderFields::new(
        "Procurement support",
        "Support for the system's procurement team.",
        "procurement",
        Region::EastOfEngland,
        10_000_000,
        24,
        Procedure::Open,
        criteria,
    );
    fields.budget_ceiling_pence = Some(12_000_000);
    fields.invited_supplier_ids = invited;
    fields.clarification_deadline = Some(at(9));
    fields.submission_deadline = Some(at(12));
    fields
}

#[test]
fn a_complete_tender_parses_with_the_default_standstill() {
    let criteria = [
        criterion("Price", "price", 60),
        criterion("Quality", "quality", 40),
    ];
    let spec = TenderSpec::parse(&fields(&criteria, &[]));
    assert_eq!(spec.map(|s| s.standstill_days), Ok(StandstillDays::DEFAULT));
}

#[test]
fn every_bad_tender_field_is_pointed_at_at_once() {
    let criteria = [
        criterion("Price", "price", 60),
        criterion("Price 2", "price", 30),
    ];
    let supplier = OrganisationId::new();
    let invited = [supplier, supplier];
    let mut f = fields(&criteria, &invited);
    f.title = " ";
    f.category = "Not A Code";
    f.estimated_value_pence = 0;
    f.budget_ceiling_pence = Some(MAX_PENCE + 1);
    f.contract_term_months = 121;
    f.clarification_deadline = Some(at(13));
    f.standstill_days = Some(31);
    assert_eq!(
        TenderSpec::parse(&f).map_err(pointers),
        Err(vec![
            "/title".to_owned(),
            "/category".to_owned(),
            "/estimated_value_pence".to_owned(),
            "/budget_ceiling_pence".to_owned(),
            "/contract_term_months".to_owned(),
            "/invited_supplier_ids".to_owned(),
            "/invited_supplier_ids/1".to_owned(),
            "/criteria".to_owned(),
            "/criteria".to_owned(),
            "/clarification_deadline".to_owned(),
            "/standstill_days".to_owned(),
        ])
    );
    let mut f = fields(&criteria[..1], &[]);
    f.procedure = Procedure::Invited;
    f.budget_ceiling_pence = Some(1);
    assert_eq!(
        TenderSpec::parse(&f).map_err(pointers),
        Err(vec![
            "/budget_ceiling_pence".to_owned(),
            "/invited_supplier_ids".to_owned(),
            "/criteria".to_owned(),
        ])
    );
}

#[test]
fn an_amendment_must_change_something_and_keep_deadlines_ahead() {
    let current = Deadlines::new(at(9), at(12)).unwrap_or_else(|e| panic!("{e}"));
    let same = Amendment::parse("n", Some("same"), None, None, "same", &current, at(8));
    assert_eq!(same.map_err(pointers), Err(vec![String::new()]));
    let later = Amendment::parse("Extended", None, None, Some(at(14)), "d", &current, at(8))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(later.needs_confirmation);
    assert_eq!(later.deadlines.submission(), at(14));
    let clarified_only = Amendment::parse(
        "More time for questions",
        None,
        Some(at(10)),
        None,
        "d",
        &current,
        at(8),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(!clarified_only.needs_confirmation);
    let text = Amendment::parse("Scope", Some("new text"), None, None, "d", &current, at(8))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(text.needs_confirmation);
    let refused = Amendment::parse("", None, Some(at(7)), Some(at(11)), "d", &current, at(8));
    assert_eq!(
        refused.map_err(pointers),
        Err(vec![
            "/note".to_owned(),
            "/clarification_deadline".to_owned(),
            "/clarification_deadline".to_owned(),
            "/submission_deadline".to_owned(),
        ])
    );
}

#[test]
fn a_deadline_is_met_only_strictly_before_it() {
    assert_eq!(check_before(at(12), at(11), "bids"), Ok(()));
    for now in [at(12), at(13)] {
        match check_before(at(12), now, "bids") {
            Err(DomainError::DeadlinePassed { deadline, .. }) => assert_eq!(deadline, at(12)),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn each_role_is_offered_the_actions_of_the_tenders_state_and_no_other() {
    use Role::*;
    use TenderAction as A;
    use TenderStatus as S;
    let buyer = OrganisationId::new();
    let other = OrganisationId::new();
    // (role, own organisation?, state, the actions offered)
    let table: &[(Role, bool, TenderStatus, &[TenderAction])] = &[
        (
            BuyerLead,
            true,
            S::Draft,
            &[A::Edit, A::Publish, A::Cancel, A::Ocds],
        ),
        (
            BuyerLead,
            true,
            S::Published,
            &[A::Amend, A::Cancel, A::Ocds],
        ),
        (
            BuyerLead,
            true,
            S::Evaluation,
            &[A::Evaluate, A::Score, A::Cancel, A::Ocds],
        ),
        (
            BuyerLead,
            true,
            S::Standstill,
            &[A::Evaluate, A::Cancel, A::Ocds],
        ),
        (BuyerLead, true, S::Awarded, &[A::Evaluate, A::Ocds]),
        (BuyerLead, true, S::Cancelled, &[A::Ocds]),
        (BuyerLead, true, S::Unsuccessful, &[A::Ocds]),
        (BuyerLead, false, S::Published, &[]),
        (BuyerLead, false, S::Awarded, &[A::Outcome]),
        (BuyerEvaluator, true, S::Draft, &[A::Ocds]),
        (BuyerEvaluator, true, S::Evaluation, &[A::Score, A::Ocds]),
        (BuyerEvaluator, true, S::Standstill, &[A::Outcome, A::Ocds]),
        (BuyerEvaluator, false, S::Evaluation, &[]),
        (
            SupplierBidder,
            false,
            S::Published,
            &[A::Bid, A::AskQuestion],
        ),
        (SupplierBidder, false, S::Evaluation, &[A::ReadOwnBid]),
        (SupplierBidder, false, S::Standstill, &[A::Outcome]),
        (SupplierBidder, false, S::Awarded, &[A::Outcome]),
        (SupplierBidder, false, S::Cancelled, &[]),
        (Regulator, false, S::Published, &[A::Ocds]),
        (Regulator, false, S::Awarded, &[A::Outcome, A::Ocds]),
        (Admin, false, S::Evaluation, &[A::Ocds]),
    ];
    for (role, own, status, expected) in table {
        let organisation = if *own { buyer } else { other };
        let offered = tender_actions(&actor(*role, organisation), buyer, *status);
        assert_eq!(&offered, expected, "{role:?} (own: {own}) in {status:?}");
    }
}
