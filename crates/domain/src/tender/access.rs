//! Who may see and run a tender and read its bids: one rule for the single read and every list.

use super::*;

/// The roles that create and run tenders: a buyer organisation's procurement lead.
pub const TENDER_MANAGERS: [Role; 1] = [Role::BuyerLead];

/// The roles that bid on tenders.
pub const BIDDERS: [Role; 1] = [Role::SupplierBidder];

/// Only a buyer organisation's procurement lead creates and runs its tenders.
pub fn require_tender_manager(actor: &Actor) -> Result<(), DomainError> {
    if TENDER_MANAGERS.contains(&actor.role) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(format!(
            "a {} may not manage tenders; only a buyer_lead may",
            actor.role
        )))
    }
}

/// Whether `actor` sees a tender's confidential fields (its budget ceiling and invitation list):
/// the buying organisation's own people and oversight, never a supplier or another buyer.
pub fn sees_confidential(actor: &Actor, buyer: OrganisationId) -> bool {
    match actor.role {
        Role::BuyerLead | Role::BuyerEvaluator => actor.organisation_id == buyer,
        Role::Regulator | Role::Admin => true,
        Role::SupplierBidder => false,
    }
}

/// What of a tender decides who may see it and its bids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderScope {
    pub buyer: OrganisationId,
    pub procedure: Procedure,
    pub invited: Vec<OrganisationId>,
    /// The state in force now (see [`TenderStatus::at`]).
    pub status: TenderStatus,
}

impl TenderScope {
    /// Whether `actor` works for the buying organisation (its lead or an evaluator).
    pub fn is_buyer(&self, actor: &Actor) -> bool {
        actor.organisation_id == self.buyer
            && matches!(actor.role, Role::BuyerLead | Role::BuyerEvaluator)
    }

    /// Refuses anyone but the buying organisation's procurement lead: 404 to those who may not
    /// see the tender at all, 403 to those who may see it but not run it.
    pub fn check_lead(&self, actor: &Actor, action: &str) -> Result<(), DomainError> {
        if actor.role == Role::BuyerLead && actor.organisation_id == self.buyer {
            Ok(())
        } else if can_view_tender(actor, self) {
            Err(DomainError::Forbidden(format!(
                "only the buying organisation's procurement lead may {action}"
            )))
        } else {
            Err(DomainError::NotFound("tender"))
        }
    }

    fn may_bid(&self, actor: &Actor) -> bool {
        actor.role == Role::SupplierBidder
            && match self.procedure {
                Procedure::Open => true,
                // The shortlist writes the admitted suppliers as the tender's invitations.
                Procedure::CompetitiveFlexible | Procedure::Invited => {
                    self.invited.contains(&actor.organisation_id)
                }
                // A direct award takes no bids.
                Procedure::DirectAward => false,
            }
    }
}

/// Whether `actor` may see the tender at all (otherwise it answers 404). A draft is its buyer's
/// alone; an invited tender is invisible to every supplier it does not name and to other buyers;
/// the regulator and admins see every tender once published.
pub fn can_view_tender(actor: &Actor, tender: &TenderScope) -> bool {
    TenderAudience::of(actor).admits(tender)
}

/// Which tenders a user may see: one rule for the single read ([`can_view_tender`]) and for
/// every list (storage turns the same cases into its query), so that a list holds exactly the
/// tenders its reader may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderAudience {
    /// A buyer organisation's people: its own tenders in any state, and every other buyer's
    /// open tender once published (open tenders are public notices; drafts and invitations are
    /// not).
    Buyer(OrganisationId),
    /// A supplier: published open tenders, and those it is invited to; never a draft.
    Supplier(OrganisationId),
    /// The regulator and admins: every tender but drafts.
    Oversight,
}

impl TenderAudience {
    pub fn of(actor: &Actor) -> Self {
        match actor.role {
            Role::BuyerLead | Role::BuyerEvaluator => Self::Buyer(actor.organisation_id),
            Role::SupplierBidder => Self::Supplier(actor.organisation_id),
            Role::Regulator | Role::Admin => Self::Oversight,
        }
    }

    /// Whether this audience sees `tender`.
    pub fn admits(self, tender: &TenderScope) -> bool {
        match self {
            Self::Buyer(own) if own == tender.buyer => true,
            _ if tender.status == TenderStatus::Draft => false,
            Self::Buyer(_) => tender.procedure.is_advertised(),
            Self::Supplier(supplier) => {
                tender.procedure.is_advertised() || tender.invited.contains(&supplier)
            }
            Self::Oversight => true,
        }
    }
}

/// Whether `actor`'s organisation may bid on the tender (it must also be open for bids).
pub fn can_bid(actor: &Actor, tender: &TenderScope) -> bool {
    tender.may_bid(actor)
}

/// Whether `actor`'s organisation may ask the buyer questions: those who may bid, and in a
/// competitive flexible procedure before its shortlist any supplier (questions then are about
/// the conditions of participation).
pub fn can_ask_questions(actor: &Actor, tender: &TenderScope, shortlisted: bool) -> bool {
    tender.may_bid(actor)
        || (actor.role == Role::SupplierBidder
            && tender.procedure == Procedure::CompetitiveFlexible
            && !shortlisted)
}

/// What `actor` may see of the bids on a tender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BidAccess {
    /// Every live bid.
    All,
    /// Only its own organisation's bid.
    OwnOnly,
    /// None yet: the bids are sealed (listing answers 403 `bids-sealed`, one bid 404).
    Sealed,
    /// None until the assigned evaluator declares that it has no conflict of interest (listing
    /// answers 403, one bid 404).
    DeclarationNeeded,
    /// None, ever (the tender is not theirs to see: 404).
    Never,
}

/// The sealing rule. Before the submission deadline a bid is its supplier's alone — not the
/// buyer's, not the regulator's, not an admin's. After it, the buyer's lead and the evaluators
/// assigned to the tender see every live bid (an evaluator once it has declared no conflict of
/// interest); the regulator and admins only once the tender is awarded (standstill or awarded);
/// suppliers only ever their own.
pub fn bid_access(actor: &Actor, tender: &TenderScope, panel: PanelStanding) -> BidAccess {
    if !can_view_tender(actor, tender) {
        return BidAccess::Never;
    }
    let opened = matches!(
        tender.status,
        TenderStatus::Evaluation
            | TenderStatus::Standstill
            | TenderStatus::Awarded
            | TenderStatus::Unsuccessful
            | TenderStatus::Cancelled
    );
    let awarded = matches!(
        tender.status,
        TenderStatus::Standstill | TenderStatus::Awarded
    );
    match actor.role {
        Role::SupplierBidder => BidAccess::OwnOnly,
        Role::BuyerLead if tender.is_buyer(actor) => {
            if opened {
                BidAccess::All
            } else {
                BidAccess::Sealed
            }
        }
        Role::BuyerEvaluator if tender.is_buyer(actor) => match (opened, panel) {
            (false, _) => BidAccess::Sealed,
            (true, PanelStanding::Cleared) => BidAccess::All,
            (true, PanelStanding::Undeclared) => BidAccess::DeclarationNeeded,
            (true, PanelStanding::NotOnPanel | PanelStanding::Conflicted) => BidAccess::Never,
        },
        Role::Regulator | Role::Admin => {
            if awarded {
                BidAccess::All
            } else {
                BidAccess::Sealed
            }
        }
        Role::BuyerLead | Role::BuyerEvaluator => BidAccess::Never,
    }
}

/// What a user may do with a tender from its page, in the state in force. The pages show a
/// button for each and nothing else; the service still decides each command on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderAction {
    /// Change the draft.
    Edit,
    Publish,
    /// Extend the deadlines or clarify the text of a published tender.
    Amend,
    Cancel,
    /// Open the bids, run the evaluation and award (the lead).
    Evaluate,
    /// Declare an interest and score (the panel).
    Score,
    /// Submit, revise or withdraw the organisation's bid.
    Bid,
    /// Ask the buyer a clarification question.
    AskQuestion,
    /// Read the organisation's own bid, sealed after the deadline.
    ReadOwnBid,
    /// The outcome after award.
    Outcome,
    /// The OCDS release package.
    Ocds,
}

/// The actions `actor` is offered on a tender of `buyer` in `status`.
pub fn tender_actions(
    actor: &Actor,
    buyer: OrganisationId,
    status: TenderStatus,
) -> Vec<TenderAction> {
    use TenderAction as A;
    use TenderStatus as S;
    let own = actor.organisation_id == buyer;
    let lead = own && actor.role == Role::BuyerLead;
    let evaluator = own && actor.role == Role::BuyerEvaluator;
    let supplier = actor.role == Role::SupplierBidder;
    let mut actions = Vec::new();
    let mut offer = |yes: bool, action: TenderAction| {
        if yes {
            actions.push(action);
        }
    };
    offer(lead && status == S::Draft, A::Edit);
    offer(lead && status == S::Draft, A::Publish);
    offer(lead && status == S::Published, A::Amend);
    offer(
        lead && matches!(status, S::Evaluation | S::Standstill | S::Awarded),
        A::Evaluate,
    );
    offer((lead || evaluator) && status == S::Evaluation, A::Score);
    offer(
        lead && matches!(
            status,
            S::Draft | S::Published | S::Evaluation | S::Standstill
        ),
        A::Cancel,
    );
    offer(supplier && status == S::Published, A::Bid);
    offer(supplier && status == S::Published, A::AskQuestion);
    offer(supplier && status == S::Evaluation, A::ReadOwnBid);
    offer(
        !lead && matches!(status, S::Standstill | S::Awarded),
        A::Outcome,
    );
    offer(
        own || matches!(actor.role, Role::Regulator | Role::Admin),
        A::Ocds,
    );
    actions
}
