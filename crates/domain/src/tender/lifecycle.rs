//! The tender's state machine, its deadlines and standstill, and what each state allows.

use super::*;

/// The two deadlines of a tender: questions close no later than bids do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    clarification: DateTime<Utc>,
    submission: DateTime<Utc>,
}

impl Deadlines {
    pub fn new(
        clarification: DateTime<Utc>,
        submission: DateTime<Utc>,
    ) -> Result<Self, DomainError> {
        if clarification > submission {
            return Err(DomainError::field(
                "/clarification_deadline",
                "must not be after the submission deadline",
            ));
        }
        Ok(Self {
            clarification,
            submission,
        })
    }

    pub const fn clarification(&self) -> DateTime<Utc> {
        self.clarification
    }

    pub const fn submission(&self) -> DateTime<Utc> {
        self.submission
    }

    /// Publishing needs both deadlines still ahead.
    pub fn check_ahead_of(&self, now: DateTime<Utc>) -> Result<(), DomainError> {
        let mut v = Validator::new();
        if self.clarification <= now {
            v.push(FieldError::new(
                "/clarification_deadline",
                "must be in the future when the tender is published",
            ));
        }
        if self.submission <= now {
            v.push(FieldError::new(
                "/submission_deadline",
                "must be in the future when the tender is published",
            ));
        }
        v.finish()
    }

    /// The deadlines after an amendment: each may move later, never earlier, and the order holds.
    pub fn extended(
        &self,
        clarification: Option<DateTime<Utc>>,
        submission: Option<DateTime<Utc>>,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        let clarification = clarification.unwrap_or(self.clarification);
        let submission = submission.unwrap_or(self.submission);
        if clarification < self.clarification {
            v.push(FieldError::new(
                "/clarification_deadline",
                "an amendment may extend a deadline, never bring it forward",
            ));
        }
        if submission < self.submission {
            v.push(FieldError::new(
                "/submission_deadline",
                "an amendment may extend a deadline, never bring it forward",
            ));
        }
        v.finish()?;
        Self::new(clarification, submission)
    }
}

/// Working days of standstill after award: 0 to 30, 8 unless the buyer says otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandstillDays(u8);

impl StandstillDays {
    pub const DEFAULT: Self = Self(8);

    pub fn new(days: i64) -> Result<Self, DomainError> {
        u8::try_from(days)
            .ok()
            .filter(|d| *d <= 30)
            .map(Self)
            .ok_or_else(|| DomainError::field("/standstill_days", "must be from 0 to 30"))
    }

    pub const fn days(self) -> u8 {
        self.0
    }
}

/// Where a tender is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderStatus {
    Draft,
    Published,
    Evaluation,
    Standstill,
    Awarded,
    Cancelled,
    Unsuccessful,
}

codes!(TenderStatus, "/status", "is not a tender status", {
    Draft => "draft",
    Published => "published",
    Evaluation => "evaluation",
    Standstill => "standstill",
    Awarded => "awarded",
    Cancelled => "cancelled",
    Unsuccessful => "unsuccessful",
});

impl TenderStatus {
    /// Whether no transition leaves this state.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Awarded | Self::Cancelled | Self::Unsuccessful)
    }

    /// The state in force at `now`: a published tender closes by the clock at its submission
    /// deadline, into evaluation when a live bid is in, otherwise unsuccessful. Every read and
    /// write uses this, so no background job is needed for the close to be correct.
    pub fn at(
        self,
        submission_deadline: DateTime<Utc>,
        now: DateTime<Utc>,
        has_live_bid: bool,
    ) -> Self {
        match self {
            Self::Published if now >= submission_deadline => {
                if has_live_bid {
                    Self::Evaluation
                } else {
                    Self::Unsuccessful
                }
            }
            other => other,
        }
    }

    /// `draft → published`.
    pub fn publish(self) -> Result<Self, DomainError> {
        match self {
            Self::Draft => Ok(Self::Published),
            other => Err(refused("published", other)),
        }
    }

    /// Amendments are for a published tender, before its submission deadline (the caller passes
    /// the state in force).
    pub fn check_amendable(self) -> Result<(), DomainError> {
        match self {
            Self::Published => Ok(()),
            Self::Draft => Err(DomainError::conflict(
                "a draft is edited, not amended; amendments are for published tenders",
            )),
            other => Err(refused("amended", other)),
        }
    }

    /// A draft's fields may be edited; once published, only amendments change it.
    pub fn check_editable(self) -> Result<(), DomainError> {
        match self {
            Self::Draft => Ok(()),
            other => Err(DomainError::Conflict(format!(
                "a {} tender cannot be edited; only a draft can (a published tender is amended)",
                other.as_str()
            ))),
        }
    }

    /// Any state before award `→ cancelled`.
    pub fn cancel(self) -> Result<Self, DomainError> {
        match self {
            Self::Draft | Self::Published | Self::Evaluation | Self::Standstill => {
                Ok(Self::Cancelled)
            }
            other => Err(refused("cancelled", other)),
        }
    }

    /// `draft → standstill`: publishing a direct award starts its transparency standstill at
    /// once (it has no competition to run).
    pub fn publish_direct_award(self) -> Result<Self, DomainError> {
        match self {
            Self::Draft => Ok(Self::Standstill),
            other => Err(refused("published", other)),
        }
    }

    /// `evaluation → standstill`, when the lead awards.
    pub fn start_standstill(self) -> Result<Self, DomainError> {
        match self {
            Self::Evaluation => Ok(Self::Standstill),
            other => Err(refused("awarded", other)),
        }
    }

    /// `standstill → awarded`, when the lead confirms the contract after the standstill.
    pub fn confirm_award(self) -> Result<Self, DomainError> {
        match self {
            Self::Standstill => Ok(Self::Awarded),
            other => Err(refused("confirmed", other)),
        }
    }

    /// `standstill → evaluation`, when a challenge to the award is upheld: the award is
    /// cancelled and the scores stand.
    pub fn reopen_evaluation(self) -> Result<Self, DomainError> {
        match self {
            Self::Standstill => Ok(Self::Evaluation),
            other => Err(refused("returned to evaluation", other)),
        }
    }

    /// `evaluation → unsuccessful`, when no compliant bid remains.
    pub fn fail(self) -> Result<Self, DomainError> {
        match self {
            Self::Evaluation => Ok(Self::Unsuccessful),
            other => Err(refused("closed as unsuccessful", other)),
        }
    }
}

pub(crate) fn refused(action: &str, from: TenderStatus) -> DomainError {
    DomainError::Conflict(format!("a {} tender cannot be {action}", from.as_str()))
}

/// A cancellation needs a reason that bidders and the regulator will read.
pub fn cancellation_reason(raw: &str) -> Result<String, DomainError> {
    let reason = raw.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(DomainError::field(
            "/reason",
            "must be 1 to 2000 characters: say why the tender is cancelled",
        ));
    }
    Ok(reason.to_owned())
}

/// Whether an amendment makes the live bids need their suppliers' confirmation: bids answered
/// the tender as it was, so a later deadline or a changed description reopens them.
pub fn amendment_needs_confirmation(
    before: &Deadlines,
    after: &Deadlines,
    description_changed: bool,
) -> bool {
    reopens_bids(before.submission(), after.submission(), description_changed)
}

/// The same rule over a recorded amendment's submission deadlines, before and after.
pub fn reopens_bids(
    submission_before: DateTime<Utc>,
    submission_after: DateTime<Utc>,
    description_changed: bool,
) -> bool {
    description_changed || submission_after != submission_before
}

/// The deadline of an action, checked against the database clock at the moment of the write.
pub fn check_before(
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
    what: &str,
) -> Result<(), DomainError> {
    if now < deadline {
        Ok(())
    } else {
        Err(DomainError::DeadlinePassed {
            detail: format!(
                "The deadline for {what} was {}; it has passed.",
                deadline.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
            ),
            deadline,
        })
    }
}
