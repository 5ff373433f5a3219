//! The evaluation panel: who the lead puts on it, who may still be put on it, each member's
//! declaration of interest, and an evaluator's work list.

use super::*;

/// The tender's panel may change until it is awarded.
pub(super) fn check_panel_open(status: TenderStatus) -> Result<(), ServiceError> {
    match status {
        TenderStatus::Draft | TenderStatus::Published | TenderStatus::Evaluation => Ok(()),
        other => Err(ServiceError::conflict(format!(
            "the evaluation panel of a {other} tender cannot change"
        ))),
    }
}

/// What the audit log keeps of a panel member: the declaration, not the contact details.
pub(super) fn audit_member(member: &PanelMember) -> serde_json::Value {
    json!({
        "user_id": member.user_id,
        "assigned_at": member.assigned_at,
        "has_conflict": member.has_conflict,
        "conflict_details": member.conflict_details,
        "declared_at": member.declared_at,
    })
}

/// The tender's lead puts a `buyer_evaluator` (or another `buyer_lead`) of the buying
/// organisation on the panel, until the award.
pub async fn assign(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    user_id: UserId,
) -> Result<PanelMember, ServiceError> {
    let (command, tender, status) = lead_command(ctx, actor, id, "assign evaluators").await?;
    check_panel_open(status)?;
    let user = persistence::users::find(command.conn(), user_id)
        .await?
        .filter(|u| evaluation::may_evaluate(u, tender.buyer_id))
        .ok_or_else(|| {
            DomainError::field(
                "/user_id",
                "must be an active buyer_evaluator or buyer_lead of the buying organisation",
            )
        })?;
    let panel = persistence::evaluation::panel(command.conn(), tender.id).await?;
    if panel.len() >= evaluation::PANEL_MAX && !panel.iter().any(|m| m.user_id == user.id) {
        return Err(ServiceError::conflict(format!(
            "the panel is full: at most {} evaluators",
            evaluation::PANEL_MAX
        )));
    }
    let member = persistence::evaluation::assign(
        command.conn(),
        tender.id,
        user.id,
        actor.user_id,
        command.now(),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "tender.evaluator_assigned", "tender", tender.id)
                .after(audit_member(&member)),
        )
        .await?;
    command.commit().await?;
    Ok(member)
}

/// The colleagues the lead may still put on the tender's panel: those who may evaluate it and
/// are not on it yet, by name.
pub async fn assignable(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<Vec<domain::user::User>, ServiceError> {
    let conn = ctx.db().conn();
    let (tender, status, _) = visible_now(ctx, actor, id).await?;
    if !(actor.role == Role::BuyerLead && tender.scope(status).is_buyer(actor)) {
        return Ok(Vec::new());
    }
    let filter = persistence::users::UserFilter {
        organisation_id: Some(tender.buyer_id),
        role: None,
        active: Some(true),
    };
    let page = domain::pagination::PageRequest::new(Some(1), Some(100))?;
    let colleagues = persistence::users::list(conn, &filter, page).await?;
    let panel = persistence::evaluation::panel(ctx.db().conn(), tender.id).await?;
    Ok(colleagues
        .items
        .into_iter()
        .filter(|u| evaluation::may_evaluate(u, tender.buyer_id))
        .filter(|u| !panel.iter().any(|m| m.user_id == u.id))
        .collect())
}

/// The panel with each member's declaration: the lead, the regulator and admins see every
/// member; a panel member sees its own entry.
pub async fn panel(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<Vec<PanelMember>, ServiceError> {
    let (tender, scope) = visible_scope(ctx, actor, id).await?;
    let panel = persistence::evaluation::panel(ctx.db().conn(), tender.id).await?;
    match actor.role {
        Role::BuyerLead if scope.is_buyer(actor) => Ok(panel),
        Role::Regulator | Role::Admin => Ok(panel),
        Role::BuyerEvaluator if scope.is_buyer(actor) => Ok(panel
            .into_iter()
            .filter(|m| m.user_id == actor.user_id)
            .collect()),
        _ => Err(ServiceError::Forbidden(
            "only the buying organisation, the regulator and admins see the panel".to_owned(),
        )),
    }
}

/// The tender's lead takes a member off the panel, until the award; its marks go with it.
pub async fn remove(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    user: UserId,
) -> Result<(), ServiceError> {
    let (command, tender, status) =
        lead_command(ctx, actor, id, "change the evaluation panel").await?;
    check_panel_open(status)?;
    let member = persistence::evaluation::find_member(command.conn(), tender.id, user)
        .await?
        .ok_or(DomainError::NotFound("evaluator"))?;
    let marks = persistence::evaluation::remove(command.conn(), tender.id, user)
        .await?
        .unwrap_or(0);
    command
        .audit(
            AuditEntry::by(actor, "tender.evaluator_removed", "tender", tender.id)
                .before(audit_member(&member))
                .after(json!({"user_id": user, "marks_removed": marks})),
        )
        .await?;
    command.commit().await?;
    Ok(())
}

/// A declaration as made.
#[derive(Debug, Clone)]
pub struct Declared {
    pub member: PanelMember,
    /// Whether this was the member's first declaration (else a conflict found afterwards).
    pub first: bool,
}

/// The signed-in panel member declares whether it has a conflict of interest, before it may see
/// any bid. A lead declaring joins the panel. A declaration is made once; afterwards only a newly
/// found conflict may be declared, and it can never be withdrawn.
pub async fn declare(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    has_conflict: bool,
    details: Option<&str>,
) -> Result<Declared, ServiceError> {
    if !matches!(actor.role, Role::BuyerEvaluator | Role::BuyerLead) {
        return Err(ServiceError::Forbidden(format!(
            "a {} does not evaluate tenders",
            actor.role
        )));
    }
    let mut command = ctx.command().await?;
    let (tender, status) = lock_and_settle(&mut command, id).await?;
    let scope = tender.scope(status);
    if !can_view_tender(actor, &scope) {
        return Err(DomainError::NotFound("tender").into());
    }
    if !scope.is_buyer(actor) {
        return Err(ServiceError::Forbidden(
            "only the buying organisation's evaluators declare on its tenders".to_owned(),
        ));
    }
    let declaration = Declaration::parse(has_conflict, details)?;
    check_panel_open(status)?;
    let mut member =
        persistence::evaluation::find_member(command.conn(), tender.id, actor.user_id).await?;
    if member.is_none() && actor.role == Role::BuyerLead {
        member = Some(
            persistence::evaluation::assign(
                command.conn(),
                tender.id,
                actor.user_id,
                actor.user_id,
                command.now(),
            )
            .await?,
        );
    }
    let member = member.ok_or_else(|| {
        ServiceError::Forbidden(
            "you are not on this tender's evaluation panel; the lead assigns evaluators".to_owned(),
        )
    })?;
    declaration.check_replaces(member.has_conflict)?;
    let first = member.has_conflict.is_none();
    let declared = persistence::evaluation::declare(
        command.conn(),
        tender.id,
        actor.user_id,
        &declaration,
        command.now(),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "tender.conflict_declared", "tender", tender.id)
                .before(audit_member(&member))
                .after(audit_member(&declared)),
        )
        .await?;
    command.commit().await?;
    Ok(Declared {
        member: declared,
        first,
    })
}

/// The tenders past their deadline whose panel `actor` sits on (an evaluator's work list).
pub async fn assigned(
    ctx: &Ctx,
    actor: &Actor,
) -> Result<Vec<persistence::tenders::TenderListing>, ServiceError> {
    let conn = ctx.db().conn();
    let own = crate::tenders::list(
        ctx,
        actor,
        crate::tenders::TenderQuery {
            buyer: Some(actor.organisation_id),
            ..crate::tenders::TenderQuery::default()
        },
        domain::pagination::PageRequest::new(Some(1), Some(100))?,
    )
    .await?;
    let mut assigned = Vec::new();
    for listing in own.items.into_iter().filter(|t| {
        matches!(
            t.status,
            TenderStatus::Evaluation | TenderStatus::Standstill | TenderStatus::Awarded
        )
    }) {
        if persistence::evaluation::find_member(conn, listing.id, actor.user_id)
            .await?
            .is_some()
        {
            assigned.push(listing);
        }
    }
    Ok(assigned)
}

/// The tender as `actor` sees it, and whether `actor` is a member of its panel (and how it
/// stands): what the scoring page needs before it shows any bid.
pub async fn standing_on_panel(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
) -> Result<Option<PanelMember>, ServiceError> {
    let conn = ctx.db().conn();
    let (tender, _, _) = visible_now(ctx, actor, id).await?;
    Ok(persistence::evaluation::find_member(conn, tender.id, actor.user_id).await?)
}
