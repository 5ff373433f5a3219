//! Transfers of business between suppliers, recorded by the regulator: a merger or takeover of a
//! whole supplier, a break-up of one across several acquirers, or the novation of named
//! contracts. Contracts keep their history: the supplier that won each one is never forgotten.

use crate::error::{DomainError, FieldError, Validator};
use crate::organisation::{Organisation, OrganisationKind, long_text};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use uuid::Uuid;

/// What kind of transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    Merger,
    Takeover,
    BreakUp,
    Novation,
}

codes!(TransferKind, "/kind", "is not a transfer kind", {
    Merger => "merger",
    Takeover => "takeover",
    BreakUp => "break_up",
    Novation => "novation",
});

impl TransferKind {
    /// A break-up moves some contracts to each acquirer, and a novation moves named contracts:
    /// both must name them.
    const fn needs_contracts(self) -> bool {
        matches!(self, Self::BreakUp | Self::Novation)
    }
}

/// The most contracts one transfer may name.
pub const MAX_CONTRACTS: usize = 1000;

/// A transfer, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferSpec {
    pub kind: TransferKind,
    /// `None`: the whole business (every active contract, offers withdrawn, source merged).
    pub contract_ids: Option<Vec<Uuid>>,
    pub reason: String,
}

impl TransferSpec {
    /// Checks the parties (`from` and `to` as found; `None` when no such organisation) and the
    /// request. A transfer to itself, from or to anything but a supplier, or of a supplier
    /// already merged away, is refused field by field.
    pub fn parse(
        kind: TransferKind,
        from: Option<&Organisation>,
        to: Option<&Organisation>,
        contract_ids: Option<&[Uuid]>,
        reason: &str,
    ) -> Result<Self, DomainError> {
        let mut v = Validator::new();
        match from {
            Some(o) if o.is_trading_supplier() => {}
            Some(o) if o.kind == OrganisationKind::Supplier => v.push(FieldError::new(
                "/from_supplier_id",
                "this supplier has already been merged into another",
            )),
            _ => v.push(FieldError::new(
                "/from_supplier_id",
                "must be a supplier organisation",
            )),
        }
        match to {
            Some(o) if o.is_trading_supplier() => {}
            _ => v.push(FieldError::new(
                "/to_supplier_id",
                "must be a supplier organisation that has not been merged away",
            )),
        }
        if let (Some(f), Some(t)) = (from, to)
            && f.id == t.id
        {
            v.push(FieldError::new(
                "/to_supplier_id",
                "must be another supplier: a transfer to itself moves nothing",
            ));
        }
        let reason = v.check(long_text(reason, "/reason", 2000));
        let ids = match contract_ids {
            None if kind.needs_contracts() => {
                v.push(FieldError::new(
                    "/contract_ids",
                    format!("a {kind} names the contracts it moves"),
                ));
                None
            }
            None => None,
            Some([]) => {
                v.push(FieldError::new(
                    "/contract_ids",
                    "must name at least one contract (leave it out to move the whole business)",
                ));
                None
            }
            Some(ids) if ids.len() > MAX_CONTRACTS => {
                v.push(FieldError::new(
                    "/contract_ids",
                    format!("must name at most {MAX_CONTRACTS} contracts"),
                ));
                None
            }
            Some(ids) => {
                let mut seen = HashSet::new();
                for (i, id) in ids.iter().enumerate() {
                    if !seen.insert(*id) {
                        v.push(FieldError::new(
                            format!("/contract_ids/{i}"),
                            "is named twice",
                        ));
                    }
                }
                Some(ids.to_vec())
            }
        };
        v.finish()?;
        Ok(Self {
            kind,
            contract_ids: ids,
            reason: reason.unwrap_or_default(),
        })
    }

    pub fn whole_business(&self) -> bool {
        self.contract_ids.is_none()
    }
}

/// Every named contract must be one the source holds and that is still in force; `held` are the
/// source's active contracts.
pub fn check_held(named: &[Uuid], held: &[Uuid]) -> Result<(), DomainError> {
    let held: HashSet<&Uuid> = held.iter().collect();
    let errors: Vec<FieldError> = named
        .iter()
        .enumerate()
        .filter(|(_, id)| !held.contains(id))
        .map(|(i, _)| {
            FieldError::new(
                format!("/contract_ids/{i}"),
                "is not an active contract held by the source supplier",
            )
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::OrganisationId;
    use chrono::Utc;

    fn org(kind: OrganisationKind) -> Organisation {
        Organisation {
            id: OrganisationId::new(),
            name: "Org".to_owned(),
            kind,
            ods_code: None,
            region: None,
            authority_type: None,
            identifiers: Vec::new(),
            successor_id: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn pointers(result: Result<TransferSpec, DomainError>) -> Vec<String> {
        match result {
            Err(DomainError::Validation(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn a_takeover_moves_the_whole_business_between_two_suppliers() {
        let (a, b) = (
            org(OrganisationKind::Supplier),
            org(OrganisationKind::Supplier),
        );
        let spec = TransferSpec::parse(TransferKind::Takeover, Some(&a), Some(&b), None, "Agreed.")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(spec.whole_business());
    }

    #[test]
    fn a_transfer_to_itself_from_a_buyer_or_of_named_nothing_is_refused() {
        let a = org(OrganisationKind::Supplier);
        let buyer = org(OrganisationKind::Buyer);
        assert_eq!(
            pointers(TransferSpec::parse(
                TransferKind::Merger,
                Some(&a),
                Some(&a),
                None,
                "x"
            )),
            vec!["/to_supplier_id"]
        );
        assert_eq!(
            pointers(TransferSpec::parse(
                TransferKind::Merger,
                Some(&buyer),
                Some(&a),
                None,
                "x"
            )),
            vec!["/from_supplier_id"]
        );
        assert_eq!(
            pointers(TransferSpec::parse(
                TransferKind::BreakUp,
                Some(&a),
                Some(&org(OrganisationKind::Supplier)),
                None,
                " "
            )),
            vec!["/reason", "/contract_ids"]
        );
        let id = Uuid::new_v4();
        assert_eq!(
            pointers(TransferSpec::parse(
                TransferKind::Novation,
                Some(&a),
                Some(&org(OrganisationKind::Supplier)),
                Some(&[id, id]),
                "x"
            )),
            vec!["/contract_ids/1"]
        );
        let mut merged = org(OrganisationKind::Supplier);
        merged.successor_id = Some(a.id);
        assert_eq!(
            pointers(TransferSpec::parse(
                TransferKind::Merger,
                Some(&merged),
                Some(&a),
                None,
                "x"
            )),
            vec!["/from_supplier_id"]
        );
    }

    #[test]
    fn only_contracts_the_source_holds_may_move() {
        let (held, other) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(check_held(&[held], &[held]), Ok(()));
        let refused = check_held(&[held, other], &[held]);
        assert!(
            matches!(&refused, Err(DomainError::Validation(e)) if e[0].pointer == "/contract_ids/1"),
            "{refused:?}"
        );
    }
}
