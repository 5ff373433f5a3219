//! A tender as a buyer describes it (parsed, never re-checked) and the amendments a published one allows.

use super::*;

/// How suppliers come to bid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// Any supplier may bid (s.20(2)(a)).
    Open,
    /// Competitive flexible (s.20(2)(b)): suppliers request to participate against the
    /// conditions of participation; the lead shortlists them with reasons; only the admitted
    /// tender.
    CompetitiveFlexible,
    /// Direct award (s.41): to one named supplier on a Schedule 5 ground, announced by a
    /// transparency notice with its own standstill; no criteria and no bids.
    DirectAward,
    /// Only the named suppliers may see the tender and bid: a quotation below threshold.
    Invited,
}

codes!(Procedure, "/procedure", "must be open, competitive_flexible, direct_award or invited", {
    Open => "open",
    CompetitiveFlexible => "competitive_flexible",
    DirectAward => "direct_award",
    Invited => "invited",
});

/// The Schedule 5 direct award justifications that can apply to support services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DirectAwardGround {
    /// Para 5: only this supplier can supply, because of its intellectual property or other
    /// exclusive rights, and there is no reasonable alternative.
    ExclusiveRights,
    /// Para 6: only this supplier can supply, because competition is absent for technical
    /// reasons, and there is no reasonable alternative.
    TechnicalReasons,
    /// Para 7: additional or repeat supply from the existing supplier, where a change of
    /// supplier would give incompatible or disproportionately difficult services.
    AdditionalSupply,
    /// Para 8: similar services from the supplier of a contract awarded by competitive
    /// tendering within the last five years, the possibility stated in its tender notice.
    RepeatSupply,
    /// Para 13: strictly necessary for reasons of extreme and unavoidable urgency.
    ExtremeUrgency,
}

codes!(DirectAwardGround, "/direct_award_ground", "must be a Schedule 5 ground: exclusive_rights, technical_reasons, additional_supply, repeat_supply or extreme_urgency", {
    ExclusiveRights => "exclusive_rights",
    TechnicalReasons => "technical_reasons",
    AdditionalSupply => "additional_supply",
    RepeatSupply => "repeat_supply",
    ExtremeUrgency => "extreme_urgency",
});

impl DirectAwardGround {
    /// The paragraph of Schedule 5 it cites.
    pub const fn paragraph(self) -> u8 {
        match self {
            Self::ExclusiveRights => 5,
            Self::TechnicalReasons => 6,
            Self::AdditionalSupply => 7,
            Self::RepeatSupply => 8,
            Self::ExtremeUrgency => 13,
        }
    }
}

/// A direct award's terms, as the buyer states them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectAwardTerms {
    pub ground: DirectAwardGround,
    pub justification: String,
    /// The supplier to be awarded (the caller checks it is one).
    pub supplier_id: OrganisationId,
}

impl Procedure {
    /// Whether the procurement is advertised by a tender notice: public, and any supplier may
    /// take part (an invited quotation is neither).
    pub const fn is_advertised(self) -> bool {
        !matches!(self, Self::Invited)
    }
}

/// A competitive flexible procedure's participation stage, as the buyer sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participation {
    /// Requests to participate close then.
    pub expression_of_interest_deadline: DateTime<Utc>,
    /// What a supplier must show to be admitted (s.22).
    pub conditions: String,
}

/// The most characters of the conditions of participation.
pub const CONDITIONS_MAX: usize = 20_000;

pub const TITLE_MAX: usize = 200;

pub const DESCRIPTION_MAX: usize = 20_000;

pub use crate::money::MAX_PENCE;

/// The most suppliers one invited tender may name.
pub const MAX_INVITED: usize = 100;

/// The fields of a tender as sent (or, for an edit, as sent over what is stored), before parsing.
#[derive(Debug, Clone)]
pub struct TenderFields<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub region: Region,
    pub estimated_value_pence: i64,
    pub budget_ceiling_pence: Option<i64>,
    pub contract_term_months: i64,
    pub procedure: Procedure,
    pub invited_supplier_ids: &'a [OrganisationId],
    pub criteria: &'a [NewCriterion],
    /// Required but for a direct award, which has none.
    pub clarification_deadline: Option<DateTime<Utc>>,
    pub submission_deadline: Option<DateTime<Utc>>,
    pub standstill_days: Option<i64>,
    /// Why the buyer must shorten the minimum periods (s.54: urgency), if it must.
    pub urgency_reason: Option<&'a str>,
    /// The planned procurement notice (UK3) the buyer relies on, if any.
    pub planned_procurement_notice_id: Option<NoticeId>,
    /// Competitive flexible only: when requests to participate close.
    pub expression_of_interest_deadline: Option<DateTime<Utc>>,
    /// Competitive flexible only: the conditions of participation.
    pub conditions_of_participation: Option<&'a str>,
    /// Direct award only: the Schedule 5 ground, why it applies, and the supplier.
    pub direct_award_ground: Option<DirectAwardGround>,
    pub direct_award_justification: Option<&'a str>,
    pub direct_award_supplier_id: Option<OrganisationId>,
    /// The lots it is divided into (none when it is not), the most lots one supplier may win,
    /// and why it is not divided.
    pub lots: &'a [NewLot],
    pub max_lots_per_supplier: Option<i64>,
    pub no_lots_rationale: Option<&'a str>,
    /// A framework's terms, when the tender procures a framework instead of a contract.
    pub framework: Option<&'a crate::framework::NewFrameworkTerms>,
}

impl<'a> TenderFields<'a> {
    /// The fields of a tender under `procedure` with nothing optional given: no ceiling,
    /// invitations, deadlines, standstill (the default), urgency, planned notice, participation
    /// stage or direct award terms. Callers set what they have.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        title: &'a str,
        description: &'a str,
        category: &'a str,
        region: Region,
        estimated_value_pence: i64,
        contract_term_months: i64,
        procedure: Procedure,
        criteria: &'a [NewCriterion],
    ) -> Self {
        Self {
            title,
            description,
            category,
            region,
            estimated_value_pence,
            budget_ceiling_pence: None,
            contract_term_months,
            procedure,
            invited_supplier_ids: &[],
            criteria,
            clarification_deadline: None,
            submission_deadline: None,
            standstill_days: None,
            urgency_reason: None,
            planned_procurement_notice_id: None,
            expression_of_interest_deadline: None,
            conditions_of_participation: None,
            direct_award_ground: None,
            direct_award_justification: None,
            direct_award_supplier_id: None,
            lots: &[],
            max_lots_per_supplier: None,
            no_lots_rationale: None,
            framework: None,
        }
    }
}

/// The most characters of a stated urgency.
pub const URGENCY_REASON_MAX: usize = 2000;

/// A parsed tender, as a draft holds it. The category code and the invited organisations are
/// checked against stored data by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderSpec {
    pub title: String,
    pub description: String,
    pub category: String,
    pub region: Region,
    pub estimated_value_pence: i64,
    pub budget_ceiling_pence: Option<i64>,
    pub contract_term_months: i32,
    pub procedure: Procedure,
    pub invited_supplier_ids: Vec<OrganisationId>,
    pub criteria: Criteria,
    /// None for a direct award: it takes no bids.
    pub deadlines: Option<Deadlines>,
    pub standstill_days: StandstillDays,
    pub urgency_reason: Option<String>,
    /// The planned procurement notice (UK3) relied on to shorten the tendering period; the
    /// caller checks it against the stored notice.
    pub planned_procurement_notice_id: Option<NoticeId>,
    /// A competitive flexible procedure's participation stage (and only then).
    pub participation: Option<Participation>,
    /// A direct award's terms (and only then).
    pub direct_award: Option<DirectAwardTerms>,
    /// Its lots, lot limit and reason for not dividing (s.18).
    pub division: Division,
    /// A framework's terms, when it procures a framework (s.45).
    pub framework: Option<crate::framework::FrameworkTerms>,
    /// The framework a competitive selection call-off is run under; set by the call-off, never
    /// by the buyer's fields.
    pub call_off_of: Option<crate::ids::FrameworkId>,
}

/// A direct award's terms: required of a direct award (a ground, a justification and the
/// supplier), refused on any other procedure.
fn direct_award(fields: &TenderFields<'_>, v: &mut Validator) -> Option<DirectAwardTerms> {
    let justification = fields
        .direct_award_justification
        .filter(|j| !j.trim().is_empty());
    if fields.procedure != Procedure::DirectAward {
        for (pointer, given) in [
            ("/direct_award_ground", fields.direct_award_ground.is_some()),
            ("/direct_award_justification", justification.is_some()),
            (
                "/direct_award_supplier_id",
                fields.direct_award_supplier_id.is_some(),
            ),
        ] {
            if given {
                v.push(FieldError::new(pointer, "is only for a direct_award"));
            }
        }
        return None;
    }
    if fields.direct_award_ground.is_none() {
        v.push(FieldError::new(
            "/direct_award_ground",
            "is required: the Schedule 5 ground that justifies the direct award",
        ));
    }
    let justification = match justification {
        None => {
            v.push(FieldError::new(
                "/direct_award_justification",
                "is required: why the ground applies (published in the transparency notice)",
            ));
            None
        }
        Some(j) => v.check(long_text(j, "/direct_award_justification", CONDITIONS_MAX)),
    };
    if fields.direct_award_supplier_id.is_none() {
        v.push(FieldError::new(
            "/direct_award_supplier_id",
            "is required: the supplier to be awarded",
        ));
    }
    Some(DirectAwardTerms {
        ground: fields.direct_award_ground?,
        justification: justification?,
        supplier_id: fields.direct_award_supplier_id?,
    })
}

/// The participation stage: required of a competitive flexible procedure (its deadline before
/// the submission deadline), refused on any other.
fn participation(fields: &TenderFields<'_>, v: &mut Validator) -> Option<Participation> {
    let conditions = fields
        .conditions_of_participation
        .filter(|c| !c.trim().is_empty());
    if fields.procedure != Procedure::CompetitiveFlexible {
        if fields.expression_of_interest_deadline.is_some() {
            v.push(FieldError::new(
                "/expression_of_interest_deadline",
                "is only for a competitive_flexible procedure",
            ));
        }
        if conditions.is_some() {
            v.push(FieldError::new(
                "/conditions_of_participation",
                "are only for a competitive_flexible procedure",
            ));
        }
        return None;
    }
    let deadline = match fields.expression_of_interest_deadline {
        None => {
            v.push(FieldError::new(
                "/expression_of_interest_deadline",
                "is required: when requests to participate close",
            ));
            None
        }
        Some(d) if fields.submission_deadline.is_some_and(|s| d >= s) => {
            v.push(FieldError::new(
                "/expression_of_interest_deadline",
                "must be before the submission deadline",
            ));
            None
        }
        Some(d) => Some(d),
    };
    let conditions = match conditions {
        None => {
            v.push(FieldError::new(
                "/conditions_of_participation",
                "are required: what a supplier must show to be admitted",
            ));
            None
        }
        Some(c) => v.check(long_text(c, "/conditions_of_participation", CONDITIONS_MAX)),
    };
    Some(Participation {
        expression_of_interest_deadline: deadline?,
        conditions: conditions?,
    })
}

pub(crate) fn pence(value: i64, pointer: &str) -> Result<i64, DomainError> {
    crate::money::Money::from_pence(value, pointer).map(crate::money::Money::pence)
}

impl TenderSpec {
    /// Parses every field, reporting every problem at once.
    pub fn parse(fields: &TenderFields<'_>) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let title = v.check(bounded_text(fields.title, "/title", TITLE_MAX));
        let description = v.check(long_text(
            fields.description,
            "/description",
            DESCRIPTION_MAX,
        ));
        let category = v.check(crate::offer::parse_category(fields.category));
        let estimated = v.check(pence(
            fields.estimated_value_pence,
            "/estimated_value_pence",
        ));
        let ceiling = match fields.budget_ceiling_pence {
            Some(c) => v
                .check(pence(c, "/budget_ceiling_pence"))
                .map(Some)
                .unwrap_or(None),
            None => None,
        };
        if let (Some(estimated), Some(ceiling)) = (estimated, ceiling)
            && ceiling < estimated
        {
            v.push(FieldError::new(
                "/budget_ceiling_pence",
                "must not be below the estimated value",
            ));
        }
        let term = v.check(
            i32::try_from(fields.contract_term_months)
                .ok()
                .filter(|m| (1..=120).contains(m))
                .ok_or_else(|| {
                    DomainError::field("/contract_term_months", "must be from 1 to 120 months")
                }),
        );
        let invited = fields.invited_supplier_ids;
        match fields.procedure {
            Procedure::Open | Procedure::CompetitiveFlexible if !invited.is_empty() => {
                v.push(FieldError::new(
                    "/invited_supplier_ids",
                    "must be empty for an advertised tender: any supplier may take part",
                ));
            }
            Procedure::Invited if invited.is_empty() || invited.len() > MAX_INVITED => {
                v.push(FieldError::new(
                    "/invited_supplier_ids",
                    format!("an invited tender names 1 to {MAX_INVITED} suppliers"),
                ));
            }
            _ => {}
        }
        for (i, id) in invited.iter().enumerate() {
            if invited[..i].contains(id) {
                v.push(FieldError::new(
                    format!("/invited_supplier_ids/{i}"),
                    "names the same supplier twice",
                ));
            }
        }
        let direct = fields.procedure == Procedure::DirectAward;
        let criteria = if direct {
            if !fields.criteria.is_empty() {
                v.push(FieldError::new(
                    "/criteria",
                    "must be empty for a direct award: there is no competition to evaluate",
                ));
            }
            Some(Criteria::none())
        } else {
            v.check(Criteria::new(fields.criteria))
        };
        let deadlines = match (
            direct,
            fields.clarification_deadline,
            fields.submission_deadline,
        ) {
            (true, None, None) => Some(None),
            (true, clarification, submission) => {
                for (pointer, given) in [
                    ("/clarification_deadline", clarification),
                    ("/submission_deadline", submission),
                ] {
                    if given.is_some() {
                        v.push(FieldError::new(
                            pointer,
                            "must be absent for a direct award: it takes no bids",
                        ));
                    }
                }
                None
            }
            (false, Some(clarification), Some(submission)) => {
                v.check(Deadlines::new(clarification, submission)).map(Some)
            }
            (false, clarification, submission) => {
                for (pointer, given) in [
                    ("/clarification_deadline", clarification),
                    ("/submission_deadline", submission),
                ] {
                    if given.is_none() {
                        v.push(FieldError::new(pointer, "is required"));
                    }
                }
                None
            }
        };
        let direct_award = direct_award(fields, &mut v);
        let standstill = match fields.standstill_days {
            Some(days) => v.check(StandstillDays::new(days)),
            None => Some(StandstillDays::DEFAULT),
        };
        let participation = participation(fields, &mut v);
        let urgency_reason = fields
            .urgency_reason
            .filter(|r| !r.trim().is_empty())
            .and_then(|r| v.check(long_text(r, "/urgency_reason", URGENCY_REASON_MAX)));
        if direct && !fields.lots.is_empty() {
            v.push(FieldError::new(
                "/lots",
                "must be empty for a direct award: it awards one contract to one supplier",
            ));
        }
        let framework = match fields.framework {
            Some(_) if direct => {
                v.push(FieldError::new(
                    "/framework",
                    "must be absent for a direct award: a framework is awarded competitively here",
                ));
                None
            }
            Some(terms) => v.check(crate::framework::FrameworkTerms::parse(terms)),
            None => None,
        };
        let division = Division::parse(
            fields.lots,
            fields.max_lots_per_supplier,
            fields.no_lots_rationale,
            &mut v,
        );
        v.finish()?;
        match (
            title,
            description,
            category,
            estimated,
            term,
            criteria,
            deadlines,
            standstill,
        ) {
            (
                Some(title),
                Some(description),
                Some(category),
                Some(estimated_value_pence),
                Some(contract_term_months),
                Some(criteria),
                Some(deadlines),
                Some(standstill_days),
            ) => Ok(Self {
                division: division.unwrap_or_default(),
                framework,
                call_off_of: None,
                title,
                description,
                category,
                region: fields.region,
                estimated_value_pence,
                budget_ceiling_pence: ceiling,
                contract_term_months,
                procedure: fields.procedure,
                invited_supplier_ids: invited.to_vec(),
                criteria,
                deadlines,
                standstill_days,
                urgency_reason,
                planned_procurement_notice_id: fields.planned_procurement_notice_id,
                participation,
                direct_award,
            }),
            _ => Err(DomainError::Validation(Vec::new())),
        }
    }
}

/// A parsed amendment to a published tender: a clarified description and/or later deadlines,
/// with a note to bidders saying what changed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    pub note: String,
    pub description: Option<String>,
    pub deadlines: Deadlines,
    /// Whether live bids must be confirmed again (see [`amendment_needs_confirmation`]).
    pub needs_confirmation: bool,
}

impl Amendment {
    /// Parses an amendment against the tender's current description and deadlines, at `now`.
    pub fn parse(
        note: &str,
        description: Option<&str>,
        clarification_deadline: Option<DateTime<Utc>>,
        submission_deadline: Option<DateTime<Utc>>,
        current_description: &str,
        current: &Deadlines,
        now: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let note = v.check(long_text(note, "/note", 2000));
        let description = description
            .and_then(|d| v.check(long_text(d, "/description", DESCRIPTION_MAX)))
            .filter(|d| d != current_description);
        for (pointer, deadline) in [
            ("/clarification_deadline", clarification_deadline),
            ("/submission_deadline", submission_deadline),
        ] {
            if deadline.is_some_and(|d| d <= now) {
                v.push(FieldError::new(pointer, "must be in the future"));
            }
        }
        let deadlines = v.check(current.extended(clarification_deadline, submission_deadline));
        v.finish()?;
        let deadlines = deadlines.unwrap_or(*current);
        if description.is_none() && deadlines == *current {
            return Err(DomainError::field(
                "",
                "an amendment must change the description or extend a deadline",
            ));
        }
        let needs_confirmation =
            amendment_needs_confirmation(current, &deadlines, description.is_some());
        Ok(Self {
            note: note.unwrap_or_default(),
            description,
            deadlines,
            needs_confirmation,
        })
    }

    /// The amendment a document added to (or replaced in) a published tender makes: what is
    /// bid for may have changed, so every live bid must be confirmed again.
    pub fn of_documents(note: String, current: &Deadlines) -> Self {
        Self {
            note,
            description: None,
            deadlines: *current,
            needs_confirmation: true,
        }
    }
}
