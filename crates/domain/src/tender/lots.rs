//! Lots (Procurement Act 2023 s.18): a tender divided into 2 to 50 lots, each bid for, ranked
//! and awarded on its own under the shared criteria, with an optional limit on how many lots one
//! supplier may win; above threshold a tender that is not divided says why (s.18(2)).

use super::*;

/// The fewest and the most lots of a divided tender.
pub const MIN_LOTS: usize = 2;
pub const MAX_LOTS: usize = 50;

/// The most characters of the reason for not dividing.
pub const NO_LOTS_RATIONALE_MAX: usize = 2000;

/// A lot as the buyer writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLot {
    pub title: String,
    pub description: String,
    pub estimated_value_pence: i64,
}

/// A lot parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotSpec {
    pub title: String,
    pub description: String,
    pub estimated_value_pence: i64,
}

/// How a tender is divided: its lots (none when it is not), the most lots one supplier may win,
/// and why it is not divided.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Division {
    pub lots: Vec<LotSpec>,
    pub max_lots_per_supplier: Option<u8>,
    pub no_lots_rationale: Option<String>,
}

impl Division {
    /// Parses the division, every problem into `v`: 2 to 50 lots with distinct titles and
    /// positive values (or none); a lot limit only with lots, from 1 to their number; a
    /// rationale only without lots. Whether a rationale is required depends on the threshold:
    /// see [`Division::check_above_threshold`].
    pub fn parse(
        lots: &[NewLot],
        max_lots_per_supplier: Option<i64>,
        no_lots_rationale: Option<&str>,
        v: &mut Validator,
    ) -> Option<Self> {
        let before = v.len();
        if lots.len() == 1 || lots.len() > MAX_LOTS {
            v.push(FieldError::new(
                "/lots",
                format!("a divided tender has {MIN_LOTS} to {MAX_LOTS} lots"),
            ));
        }
        let mut parsed = Vec::with_capacity(lots.len());
        for (i, lot) in lots.iter().enumerate() {
            let title = v.check(bounded_text(
                &lot.title,
                &format!("/lots/{i}/title"),
                TITLE_MAX,
            ));
            let description = v.check(long_text(
                &lot.description,
                &format!("/lots/{i}/description"),
                DESCRIPTION_MAX,
            ));
            let value = v.check(pence(
                lot.estimated_value_pence,
                &format!("/lots/{i}/estimated_value_pence"),
            ));
            if lots[..i]
                .iter()
                .any(|other| other.title.trim() == lot.title.trim())
            {
                v.push(FieldError::new(
                    format!("/lots/{i}/title"),
                    "names another lot's title",
                ));
            }
            if let (Some(title), Some(description), Some(estimated_value_pence)) =
                (title, description, value)
            {
                parsed.push(LotSpec {
                    title,
                    description,
                    estimated_value_pence,
                });
            }
        }
        let max = match max_lots_per_supplier {
            None => None,
            Some(_) if lots.is_empty() => {
                v.push(FieldError::new(
                    "/max_lots_per_supplier",
                    "is only for a tender divided into lots",
                ));
                None
            }
            Some(n) => {
                let limit = u8::try_from(n)
                    .ok()
                    .filter(|n| *n >= 1 && usize::from(*n) <= lots.len());
                if limit.is_none() {
                    v.push(FieldError::new(
                        "/max_lots_per_supplier",
                        format!("must be from 1 to the number of lots ({})", lots.len()),
                    ));
                }
                limit
            }
        };
        let rationale = match no_lots_rationale.filter(|r| !r.trim().is_empty()) {
            Some(_) if !lots.is_empty() => {
                v.push(FieldError::new(
                    "/no_lots_rationale",
                    "is only for a tender not divided into lots",
                ));
                None
            }
            Some(r) => v.check(long_text(r, "/no_lots_rationale", NO_LOTS_RATIONALE_MAX)),
            None => None,
        };
        (v.len() == before).then_some(Self {
            lots: parsed,
            max_lots_per_supplier: max,
            no_lots_rationale: rationale,
        })
    }

    /// Above threshold a tender not divided into lots must say why (s.18(2)).
    pub fn check_above_threshold(&self, above_threshold: bool) -> Result<(), DomainError> {
        if above_threshold && self.lots.is_empty() && self.no_lots_rationale.is_none() {
            Err(DomainError::field(
                "/no_lots_rationale",
                "is required above threshold: say why the contract is not divided into lots \
                 (Procurement Act 2023 s.18)",
            ))
        } else {
            Ok(())
        }
    }

    /// Whether a supplier already awarded `won` lots may win another.
    pub fn may_win_another(&self, won: usize) -> bool {
        self.max_lots_per_supplier
            .is_none_or(|max| won < usize::from(max))
    }
}

/// Where one lot of a divided tender is once its bids are opened: open until awarded or
/// declared unsuccessful; an award holds it in standstill until its contract is entered, or a
/// challenge upheld opens it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LotStatus {
    Open,
    Standstill,
    Awarded,
    Unsuccessful,
}

codes!(LotStatus, "/status", "is not a lot status", {
    Open => "open",
    Standstill => "standstill",
    Awarded => "awarded",
    Unsuccessful => "unsuccessful",
});

fn lot_refused(action: &str, from: LotStatus) -> DomainError {
    DomainError::Conflict(format!("a lot that is {from} cannot be {action}"))
}

impl LotStatus {
    pub fn award(self) -> Result<Self, DomainError> {
        match self {
            Self::Open => Ok(Self::Standstill),
            other => Err(lot_refused("awarded", other)),
        }
    }

    pub fn reopen(self) -> Result<Self, DomainError> {
        match self {
            Self::Standstill => Ok(Self::Open),
            other => Err(lot_refused("returned to evaluation", other)),
        }
    }

    pub fn confirm(self) -> Result<Self, DomainError> {
        match self {
            Self::Standstill => Ok(Self::Awarded),
            other => Err(lot_refused("contracted", other)),
        }
    }

    pub fn fail(self) -> Result<Self, DomainError> {
        match self {
            Self::Open => Ok(Self::Unsuccessful),
            other => Err(lot_refused("declared unsuccessful", other)),
        }
    }

    const fn is_decided(self) -> bool {
        matches!(self, Self::Awarded | Self::Unsuccessful)
    }
}

/// A divided tender's state follows its lots once bids are opened: in evaluation while a lot is
/// open, in standstill while every lot is decided or in standstill, awarded when every lot is
/// awarded or unsuccessful, and unsuccessful when every lot is.
pub fn status_of_lots(lots: &[LotStatus]) -> TenderStatus {
    if lots.iter().all(|l| *l == LotStatus::Unsuccessful) {
        TenderStatus::Unsuccessful
    } else if lots.iter().all(|l| l.is_decided()) {
        TenderStatus::Awarded
    } else if lots.contains(&LotStatus::Open) {
        TenderStatus::Evaluation
    } else {
        TenderStatus::Standstill
    }
}

/// A divided tender is cancelled as a whole only while no lot's contract is entered: a lot
/// contracted stays so, and the others are declared unsuccessful instead.
pub fn check_lots_cancellable(lots: &[LotStatus]) -> Result<(), DomainError> {
    if lots.contains(&LotStatus::Awarded) {
        Err(DomainError::conflict(
            "a lot's contract is entered: declare the remaining lots unsuccessful instead of \
             cancelling the tender",
        ))
    } else {
        Ok(())
    }
}

/// The lot limit at an award. A supplier already awarded `max_lots_per_supplier` lots cannot
/// win another (409 naming the limit). Bids ranked above `bid` whose suppliers are at their
/// limit do not count against it: when every bid above it is such a bid, the ranking rule
/// itself is the justification, and that is what is recorded unless the lead wrote one.
/// `at_limit` says whether a bid's supplier already holds the limit.
pub fn check_lot_award(
    division: &Division,
    ranking: &crate::evaluation::Ranking,
    bid: crate::ids::BidId,
    at_limit: impl Fn(crate::ids::BidId) -> bool,
    justification: Option<&str>,
) -> Result<Option<String>, DomainError> {
    let Some(max) = division.max_lots_per_supplier else {
        return crate::evaluation::check_award(ranking, bid, justification);
    };
    ranking.check_complete()?;
    if at_limit(bid) {
        return Err(DomainError::Conflict(format!(
            "this bid's supplier has already been awarded {max} lot(s) of this tender, the most \
             one supplier may win (max_lots_per_supplier): award the lot to another bid"
        )));
    }
    let given = justification.filter(|j| !j.trim().is_empty());
    let above: Vec<_> = ranking.items.iter().take_while(|r| r.bid != bid).collect();
    if given.is_none()
        && ranking.find(bid).is_some()
        && !above.is_empty()
        && above.iter().all(|r| at_limit(r.bid))
    {
        return Ok(Some(format!(
            "The {} higher-ranked bid(s) are from suppliers already awarded the most lots one \
             supplier may win ({max}); this is the highest-ranked bid that may win the lot.",
            above.len()
        )));
    }
    crate::evaluation::check_award(ranking, bid, justification)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lot(title: &str, value: i64) -> NewLot {
        NewLot {
            title: title.to_owned(),
            description: format!("{title}: the service."),
            estimated_value_pence: value,
        }
    }

    fn parsed(
        lots: &[NewLot],
        max: Option<i64>,
        rationale: Option<&str>,
    ) -> Result<Division, Vec<String>> {
        let mut v = Validator::new();
        let division = Division::parse(lots, max, rationale, &mut v);
        match v.finish() {
            Ok(()) => division.ok_or_else(Vec::new),
            Err(DomainError::Validation(errors)) => {
                Err(errors.into_iter().map(|e| e.pointer).collect())
            }
            Err(other) => Err(vec![other.to_string()]),
        }
    }

    #[test]
    fn a_tender_is_divided_into_2_to_50_distinct_lots_or_not_at_all() {
        let three = [lot("BI", 10), lot("Procurement", 20), lot("Finance", 30)];
        let division = parsed(&three, Some(2), None).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(division.lots.len(), 3);
        assert_eq!(division.max_lots_per_supplier, Some(2));
        assert_eq!(parsed(&[], None, None), Ok(Division::default()));
        assert_eq!(
            parsed(&three[..1], None, None),
            Err(vec!["/lots".to_owned()])
        );
        let many: Vec<NewLot> = (0..=MAX_LOTS)
            .map(|i| lot(&format!("Lot {i}"), 1))
            .collect();
        assert_eq!(parsed(&many, None, None), Err(vec!["/lots".to_owned()]));
        assert_eq!(
            parsed(&[lot("BI", 10), lot(" BI ", 0)], None, None),
            Err(vec![
                "/lots/1/estimated_value_pence".to_owned(),
                "/lots/1/title".to_owned()
            ])
        );
    }

    #[test]
    fn a_lot_limit_needs_lots_and_a_rationale_needs_none() {
        let two = [lot("BI", 10), lot("Procurement", 20)];
        assert_eq!(
            parsed(&two, Some(3), None),
            Err(vec!["/max_lots_per_supplier".to_owned()])
        );
        assert_eq!(
            parsed(&two, Some(0), None),
            Err(vec!["/max_lots_per_supplier".to_owned()])
        );
        assert_eq!(
            parsed(&[], Some(1), None),
            Err(vec!["/max_lots_per_supplier".to_owned()])
        );
        assert_eq!(
            parsed(&two, None, Some("One service.")),
            Err(vec!["/no_lots_rationale".to_owned()])
        );
        let whole = parsed(&[], None, Some(" One integrated service. ")).unwrap_or_default();
        assert_eq!(
            whole.no_lots_rationale.as_deref(),
            Some("One integrated service.")
        );
    }

    #[test]
    fn above_threshold_a_tender_not_divided_says_why_and_the_limit_caps_wins() {
        let undivided = Division::default();
        assert!(undivided.check_above_threshold(true).is_err());
        assert!(undivided.check_above_threshold(false).is_ok());
        let explained = Division {
            no_lots_rationale: Some("One integrated service.".to_owned()),
            ..Division::default()
        };
        assert!(explained.check_above_threshold(true).is_ok());
        let limited = Division {
            lots: vec![
                LotSpec {
                    title: "A".to_owned(),
                    description: "A.".to_owned(),
                    estimated_value_pence: 1,
                };
                3
            ],
            max_lots_per_supplier: Some(2),
            no_lots_rationale: None,
        };
        assert!(limited.check_above_threshold(true).is_ok());
        assert!(limited.may_win_another(1));
        assert!(!limited.may_win_another(2));
        assert!(Division::default().may_win_another(10));
    }

    #[test]
    fn a_lot_moves_open_standstill_awarded_or_open_unsuccessful_and_nothing_else() {
        use LotStatus::*;
        assert_eq!(Open.award(), Ok(Standstill));
        assert_eq!(Standstill.reopen(), Ok(Open));
        assert_eq!(Standstill.confirm(), Ok(Awarded));
        assert_eq!(Open.fail(), Ok(Unsuccessful));
        for refused in [
            Standstill.award(),
            Awarded.award(),
            Unsuccessful.award(),
            Open.reopen(),
            Awarded.reopen(),
            Open.confirm(),
            Awarded.confirm(),
            Standstill.fail(),
            Awarded.fail(),
            Unsuccessful.fail(),
        ] {
            assert!(
                matches!(refused, Err(DomainError::Conflict(_))),
                "{refused:?}"
            );
        }
        assert_eq!("standstill".parse(), Ok(Standstill));
    }

    #[test]
    fn a_divided_tender_is_in_the_state_its_lots_give_it() {
        use LotStatus::*;
        let of = status_of_lots;
        assert_eq!(of(&[Open, Standstill]), TenderStatus::Evaluation);
        assert_eq!(of(&[Open, Awarded]), TenderStatus::Evaluation);
        assert_eq!(of(&[Standstill, Unsuccessful]), TenderStatus::Standstill);
        assert_eq!(of(&[Standstill, Awarded]), TenderStatus::Standstill);
        assert_eq!(of(&[Awarded, Unsuccessful]), TenderStatus::Awarded);
        assert_eq!(of(&[Awarded, Awarded]), TenderStatus::Awarded);
        assert_eq!(
            of(&[Unsuccessful, Unsuccessful]),
            TenderStatus::Unsuccessful
        );
        assert!(check_lots_cancellable(&[Open, Standstill]).is_ok());
        assert!(check_lots_cancellable(&[Awarded, Open]).is_err());
    }

    #[test]
    fn the_lot_limit_refuses_a_supplier_at_it_and_justifies_the_next_ranked_bid() {
        use crate::evaluation::{BidToRank, Scoring, rank};
        use crate::ids::BidId;
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let (cheapest, middle, dearest) = (BidId::new(), BidId::new(), BidId::new());
        let bids =
            [(cheapest, 100), (middle, 200), (dearest, 300)].map(|(bid, price_pence)| BidToRank {
                bid,
                price_pence,
                submitted_at: at,
            });
        let ranking = rank(&Scoring {
            price_weight: 100,
            quality: &[],
            bids: &bids,
            scorers: &[],
            marks: &[],
        });
        let limited = Division {
            lots: vec![
                LotSpec {
                    title: "A".to_owned(),
                    description: "A.".to_owned(),
                    estimated_value_pence: 1,
                };
                3
            ],
            max_lots_per_supplier: Some(2),
            no_lots_rationale: None,
        };
        // The cheapest bid's supplier already holds two lots.
        let at_limit = |bid: BidId| bid == cheapest;
        let refused = check_lot_award(&limited, &ranking, cheapest, at_limit, None);
        assert!(
            matches!(&refused, Err(DomainError::Conflict(m)) if m.contains("max_lots_per_supplier")),
            "{refused:?}"
        );
        let justified = check_lot_award(&limited, &ranking, middle, at_limit, None)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(justified.is_some_and(|j| j.contains("most lots")));
        let written = check_lot_award(&limited, &ranking, middle, at_limit, Some("Better."));
        assert_eq!(written, Ok(Some("Better.".to_owned())));
        // Past a bid that may still win, the lead justifies the choice as always.
        assert!(check_lot_award(&limited, &ranking, dearest, at_limit, None).is_err());
        // Without a limit the ranking rule alone decides.
        assert_eq!(
            check_lot_award(&Division::default(), &ranking, cheapest, |_| true, None),
            Ok(None)
        );
    }
}
