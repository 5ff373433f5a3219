//! Sealed bids and clarification questions: what a bid must contain, its lifecycle
//! (`submitted`, `needs_confirmation` after an amendment, `withdrawn`), and who sees which
//! clarification.

use crate::access::Actor;
use crate::error::{DomainError, FieldError, Validator};
use crate::ids::{CriterionId, OrganisationId};
use crate::organisation::long_text;
use crate::tender::{CriterionKind, TenderScope, can_view_tender};
use crate::user::Role;
use serde::{Deserialize, Serialize};

pub const RESPONSE_MAX: usize = 20_000;
pub const QUESTION_MAX: usize = 4_000;
pub const ANSWER_MAX: usize = 10_000;

/// Where a bid stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BidStatus {
    /// In, and will be evaluated.
    Submitted,
    /// The tender was amended after it came in: it is evaluated only if its supplier confirms
    /// or revises it before the deadline.
    NeedsConfirmation,
    /// Taken back by its supplier; no longer live.
    Withdrawn,
}

codes!(BidStatus, "/status", "is not a bid status", {
    Submitted => "submitted",
    NeedsConfirmation => "needs_confirmation",
    Withdrawn => "withdrawn",
});

impl BidStatus {
    /// Whether the bid still counts as its supplier's one bid on the tender.
    pub const fn is_live(self) -> bool {
        !matches!(self, Self::Withdrawn)
    }

    /// A revision replaces the content and counts as a confirmation.
    pub fn revise(self) -> Result<Self, DomainError> {
        match self {
            Self::Submitted | Self::NeedsConfirmation => Ok(Self::Submitted),
            Self::Withdrawn => Err(DomainError::conflict(
                "a withdrawn bid cannot be revised; submit a new bid instead",
            )),
        }
    }

    pub fn withdraw(self) -> Result<Self, DomainError> {
        match self {
            Self::Submitted | Self::NeedsConfirmation => Ok(Self::Withdrawn),
            Self::Withdrawn => Err(DomainError::conflict("the bid is already withdrawn")),
        }
    }

    /// `needs_confirmation → submitted`, the supplier standing by its bid after an amendment.
    pub fn confirm(self) -> Result<Self, DomainError> {
        match self {
            Self::NeedsConfirmation => Ok(Self::Submitted),
            Self::Submitted => Err(DomainError::Conflict(
                "the bid needs no confirmation: no amendment has changed the tender since it \
                 was submitted"
                    .to_owned(),
            )),
            Self::Withdrawn => Err(DomainError::conflict("a withdrawn bid cannot be confirmed")),
        }
    }

    /// What an amendment that reopens the tender does to the bid.
    pub const fn after_amendment(self) -> Self {
        match self {
            Self::Submitted | Self::NeedsConfirmation => Self::NeedsConfirmation,
            Self::Withdrawn => Self::Withdrawn,
        }
    }
}

/// A response as sent: the criterion it answers and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResponse {
    pub criterion_id: CriterionId,
    pub text: String,
}

/// The content of a bid, parsed against the tender's criteria: a price, and exactly one
/// response to each quality criterion (none to the price criterion), in the criteria's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BidContent {
    pub price_pence: i64,
    pub responses: Vec<BidResponse>,
}

/// One answered criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BidResponse {
    pub criterion_id: CriterionId,
    pub text: String,
}

impl BidContent {
    /// `criteria` are the tender's, in order, with their kinds.
    pub fn parse(
        price_pence: i64,
        responses: &[NewResponse],
        criteria: &[(CriterionId, CriterionKind)],
    ) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let _ = v.check(crate::money::Money::from_pence(price_pence, "/price_pence"));
        let mut texts: Vec<Option<String>> = vec![None; criteria.len()];
        for (i, response) in responses.iter().enumerate() {
            let at = format!("/responses/{i}");
            let Some(index) = criteria
                .iter()
                .position(|(id, _)| *id == response.criterion_id)
            else {
                v.push(FieldError::new(
                    format!("{at}/criterion_id"),
                    "is not a criterion of this tender",
                ));
                continue;
            };
            if criteria[index].1 == CriterionKind::Price {
                v.push(FieldError::new(
                    format!("{at}/criterion_id"),
                    "is the price criterion, which is answered by price_pence, not by text",
                ));
                continue;
            }
            if texts[index].is_some() {
                v.push(FieldError::new(
                    format!("{at}/criterion_id"),
                    "answers the same criterion twice",
                ));
                continue;
            }
            let text =
                v.check(long_text(&response.text, "/text", RESPONSE_MAX).map_err(|e| e.under(&at)));
            texts[index] = Some(text.unwrap_or_default());
        }
        for (index, (id, kind)) in criteria.iter().enumerate() {
            if *kind == CriterionKind::Quality && texts[index].is_none() {
                v.push(FieldError::new(
                    "/responses",
                    format!("needs a response to quality criterion {id}"),
                ));
            }
        }
        v.finish()?;
        Ok(Self {
            price_pence,
            responses: criteria
                .iter()
                .zip(texts)
                .filter_map(|((id, _), text)| {
                    text.map(|text| BidResponse {
                        criterion_id: *id,
                        text,
                    })
                })
                .collect(),
        })
    }
}

/// How much of a clarification `actor` may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClarificationView {
    /// The question, the answer and who asked: the buyer.
    WithAsker,
    /// The question and the answer, not who asked.
    Anonymous,
    /// Nothing: the question is not `actor`'s to see.
    Hidden,
}

/// Answered questions are for every supplier that can see the tender (and for the regulator and
/// admins); the asking organisation is for the buyer alone. An unanswered question is the
/// asker's and the buyer's only.
pub fn clarification_view(
    actor: &Actor,
    tender: &TenderScope,
    asked_by: OrganisationId,
    answered: bool,
) -> ClarificationView {
    if !can_view_tender(actor, tender) {
        return ClarificationView::Hidden;
    }
    if tender.is_buyer(actor) {
        return ClarificationView::WithAsker;
    }
    let own = actor.role == Role::SupplierBidder && actor.organisation_id == asked_by;
    if answered || own {
        ClarificationView::Anonymous
    } else {
        ClarificationView::Hidden
    }
}

/// What happened, for an in-app notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    TenderPublished,
    TenderAmended,
    ClarificationAnswered,
    BidReceived,
    /// The tender was awarded: to every bidder, with the standstill's end.
    TenderAwarded,
    /// A bidder challenged the award: to the buyer.
    ChallengeLodged,
    /// The lead resolved a challenge: to the challenger.
    ChallengeResolved,
    /// The award was cancelled after a challenge was upheld: to every bidder.
    AwardCancelled,
    /// The contract was entered: to every bidder.
    ContractAwarded,
    /// The shortlist of a competitive flexible procedure was decided: to each supplier that
    /// requested to participate, with its own decision and reason.
    ParticipationDecided,
    /// One of the organisation's webhooks failed for three days and was disabled.
    WebhookDisabled,
}

codes!(NotificationKind, "/kind", "is not a notification kind", {
    TenderPublished => "tender_published",
    TenderAmended => "tender_amended",
    ClarificationAnswered => "clarification_answered",
    BidReceived => "bid_received",
    TenderAwarded => "tender_awarded",
    ChallengeLodged => "challenge_lodged",
    ChallengeResolved => "challenge_resolved",
    AwardCancelled => "award_cancelled",
    ContractAwarded => "contract_awarded",
    ParticipationDecided => "participation_decided",
    WebhookDisabled => "webhook_disabled",
});

/// A question's text.
pub fn question(raw: &str) -> Result<String, DomainError> {
    long_text(raw, "/question", QUESTION_MAX)
}

/// An answer's text.
pub fn answer(raw: &str) -> Result<String, DomainError> {
    long_text(raw, "/answer", ANSWER_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::tender::{Procedure, TenderStatus};

    fn criteria() -> Vec<(CriterionId, CriterionKind)> {
        vec![
            (CriterionId::new(), CriterionKind::Price),
            (CriterionId::new(), CriterionKind::Quality),
            (CriterionId::new(), CriterionKind::Quality),
        ]
    }

    fn response(id: CriterionId, text: &str) -> NewResponse {
        NewResponse {
            criterion_id: id,
            text: text.to_owned(),
        }
    }

    fn pointers(error: DomainError) -> Vec<String> {
        match error {
            DomainError::Validation(errors) => errors.into_iter().map(|e| e.pointer).collect(),
            other => vec![format!("not a validation error: {other}")],
        }
    }

    #[test]
    fn a_bid_answers_every_quality_criterion_in_the_criteria_order() {
        let c = criteria();
        let content = BidContent::parse(
            90_000,
            &[
                response(c[2].0, "  Social value plan "),
                response(c[1].0, "Delivery"),
            ],
            &c,
        );
        assert_eq!(
            content,
            Ok(BidContent {
                price_pence: 90_000,
                responses: vec![
                    BidResponse {
                        criterion_id: c[1].0,
                        text: "Delivery".to_owned()
                    },
                    BidResponse {
                        criterion_id: c[2].0,
                        text: "Social value plan".to_owned()
                    },
                ],
            })
        );
    }

    #[test]
    fn a_bid_missing_a_response_answering_the_price_or_twice_is_refused() {
        let c = criteria();
        assert_eq!(
            BidContent::parse(0, &[response(c[1].0, "x")], &c).map_err(pointers),
            Err(vec!["/price_pence".to_owned(), "/responses".to_owned()])
        );
        assert_eq!(
            BidContent::parse(
                1,
                &[
                    response(c[0].0, "cheap"),
                    response(c[1].0, "a"),
                    response(c[1].0, "b"),
                    response(c[2].0, " "),
                    response(CriterionId::new(), "?"),
                ],
                &c
            )
            .map_err(pointers),
            Err(vec![
                "/responses/0/criterion_id".to_owned(),
                "/responses/2/criterion_id".to_owned(),
                "/responses/3/text".to_owned(),
                "/responses/4/criterion_id".to_owned(),
            ])
        );
    }

    #[test]
    fn bid_transitions_allowed_and_refused() {
        use BidStatus::*;
        assert_eq!(Submitted.revise(), Ok(Submitted));
        assert_eq!(NeedsConfirmation.revise(), Ok(Submitted));
        assert!(Withdrawn.revise().is_err());
        assert_eq!(Submitted.withdraw(), Ok(Withdrawn));
        assert_eq!(NeedsConfirmation.withdraw(), Ok(Withdrawn));
        assert!(Withdrawn.withdraw().is_err());
        assert_eq!(NeedsConfirmation.confirm(), Ok(Submitted));
        assert!(Submitted.confirm().is_err());
        assert!(Withdrawn.confirm().is_err());
        assert_eq!(Submitted.after_amendment(), NeedsConfirmation);
        assert_eq!(Withdrawn.after_amendment(), Withdrawn);
        assert!(Submitted.is_live() && NeedsConfirmation.is_live() && !Withdrawn.is_live());
        for s in [Submitted, NeedsConfirmation, Withdrawn] {
            assert_eq!(s.as_str().parse::<BidStatus>(), Ok(s));
        }
    }

    #[test]
    fn clarifications_show_the_asker_only_to_the_buyer_and_unanswered_ones_only_to_the_asker() {
        let buyer = OrganisationId::new();
        let asker = OrganisationId::new();
        let tender = TenderScope {
            buyer,
            procedure: Procedure::Open,
            invited: vec![],
            status: TenderStatus::Published,
        };
        let actor = |role, organisation_id| Actor {
            user_id: UserId::new(),
            organisation_id,
            role,
        };
        let lead = actor(Role::BuyerLead, buyer);
        let evaluator = actor(Role::BuyerEvaluator, buyer);
        let asking = actor(Role::SupplierBidder, asker);
        let other = actor(Role::SupplierBidder, OrganisationId::new());
        let regulator = actor(Role::Regulator, OrganisationId::new());
        let other_buyer = actor(Role::BuyerLead, OrganisationId::new());
        use ClarificationView::*;
        let table = [
            (lead, [WithAsker, WithAsker]),
            (evaluator, [WithAsker, WithAsker]),
            (asking, [Anonymous, Anonymous]),
            (other, [Hidden, Anonymous]),
            (regulator, [Hidden, Anonymous]),
            (other_buyer, [Hidden, Anonymous]),
        ];
        for (who, [unanswered, answered]) in table {
            assert_eq!(
                clarification_view(&who, &tender, asker, false),
                unanswered,
                "{:?} unanswered",
                who.role
            );
            assert_eq!(
                clarification_view(&who, &tender, asker, true),
                answered,
                "{:?} answered",
                who.role
            );
        }
        let invited = TenderScope {
            procedure: Procedure::Invited,
            invited: vec![asker],
            ..tender
        };
        assert_eq!(clarification_view(&other, &invited, asker, true), Hidden);
    }
}
