//! Who may do what: authorisation decisions are domain rules, made here and called by handlers.

use crate::error::DomainError;
use crate::ids::{OrganisationId, UserId};
use crate::user::Role;

/// The signed-in user on whose behalf a command or query runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub organisation_id: OrganisationId,
    pub role: Role,
}

/// Something the platform lets a role do regardless of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformAction {
    /// Create, list and read organisations.
    ManageOrganisations,
    /// Create, list, read and change users.
    ManageUsers,
    /// Read the audit log and verify its chain.
    ReadAudit,
    /// Edit the bank-holiday calendar that standstill periods are counted against.
    EditCalendar,
    /// Record mergers, takeovers, break-ups and novations between suppliers.
    RecordTransfers,
}

impl PlatformAction {
    /// The roles that may take the action.
    pub fn allowed_roles(self) -> &'static [Role] {
        match self {
            Self::ManageOrganisations | Self::ManageUsers | Self::EditCalendar => &[Role::Admin],
            Self::ReadAudit | Self::RecordTransfers => &[Role::Admin, Role::Regulator],
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::ManageOrganisations => "manage organisations",
            Self::ManageUsers => "manage users",
            Self::ReadAudit => "read the audit log",
            Self::EditCalendar => "edit the bank-holiday calendar",
            Self::RecordTransfers => "record transfers of business between suppliers",
        }
    }
}

impl Actor {
    pub fn may(&self, action: PlatformAction) -> bool {
        action.allowed_roles().contains(&self.role)
    }

    /// `Forbidden` (403) when the role may never take this action.
    pub fn require(&self, action: PlatformAction) -> Result<(), DomainError> {
        if self.may(action) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "a {} may not {}",
                self.role,
                action.describe()
            )))
        }
    }
}

/// Whether `actor` may see the account of a user in `user_organisation`: admins see everyone,
/// everyone else only themselves and colleagues of their own organisation.
pub fn can_view_user(actor: &Actor, user_organisation: OrganisationId) -> bool {
    actor.role == Role::Admin || actor.organisation_id == user_organisation
}

/// Changes an admin may not make to their own account, so the platform never locks itself out.
pub fn check_self_change(
    actor: &Actor,
    target: UserId,
    new_role: Option<Role>,
    new_active: Option<bool>,
) -> Result<(), DomainError> {
    if actor.user_id != target {
        return Ok(());
    }
    if new_active == Some(false) {
        return Err(DomainError::conflict(
            "you cannot deactivate your own account",
        ));
    }
    if new_role.is_some_and(|role| role != actor.role) {
        return Err(DomainError::conflict("you cannot change your own role"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: UserId::new(),
            organisation_id: OrganisationId::new(),
            role,
        }
    }

    #[test]
    fn only_admins_manage_organisations_and_users_while_regulators_also_read_the_audit_log() {
        let table = [
            (Role::Admin, true, true, true),
            (Role::Regulator, false, false, true),
            (Role::BuyerLead, false, false, false),
            (Role::BuyerEvaluator, false, false, false),
            (Role::SupplierBidder, false, false, false),
        ];
        for (role, orgs, users, audit) in table {
            let a = actor(role);
            assert_eq!(
                a.may(PlatformAction::ManageOrganisations),
                orgs,
                "{role} orgs"
            );
            assert_eq!(a.may(PlatformAction::ManageUsers), users, "{role} users");
            assert_eq!(a.may(PlatformAction::ReadAudit), audit, "{role} audit");
        }
    }

    #[test]
    fn a_refused_action_is_forbidden_not_hidden() {
        let err = actor(Role::SupplierBidder).require(PlatformAction::ManageUsers);
        assert!(matches!(err, Err(DomainError::Forbidden(_))));
    }

    #[test]
    fn users_are_visible_to_admins_and_to_their_own_organisation_only() {
        let buyer = actor(Role::BuyerLead);
        assert!(can_view_user(&buyer, buyer.organisation_id));
        assert!(!can_view_user(&buyer, OrganisationId::new()));
        let regulator = actor(Role::Regulator);
        assert!(!can_view_user(&regulator, OrganisationId::new()));
        let admin = actor(Role::Admin);
        assert!(can_view_user(&admin, OrganisationId::new()));
    }

    #[test]
    fn an_admin_cannot_deactivate_or_demote_itself_but_may_change_others() {
        let admin = actor(Role::Admin);
        assert!(check_self_change(&admin, admin.user_id, None, Some(false)).is_err());
        assert!(check_self_change(&admin, admin.user_id, Some(Role::Regulator), None).is_err());
        assert!(check_self_change(&admin, admin.user_id, Some(Role::Admin), Some(true)).is_ok());
        assert!(check_self_change(&admin, UserId::new(), None, Some(false)).is_ok());
    }
}
