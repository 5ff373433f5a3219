//! Drafts: a buyer's lead creates and edits them; each save is checked against stored data
//! (the category, the invited suppliers, the planned procurement notice) and the thresholds.

use super::*;

/// Checks what the domain cannot: the category exists, every invited organisation is a
/// supplier, and a planned procurement notice relied on is a UK3 of the tender's own buyer (its
/// dates are checked when the tender is published: they count back from the tender notice).
async fn check_references<C: ConnectionTrait>(
    conn: &C,
    buyer: OrganisationId,
    spec: &TenderSpec,
) -> Result<(), ServiceError> {
    if let Some(terms) = &spec.direct_award {
        crate::direct_awards::check_supplier(conn, terms).await?;
    }
    let mut v = Validator::new();
    if let Some(id) = spec.planned_procurement_notice_id
        && planned_notice(conn, buyer, id).await?.is_none()
    {
        v.push(FieldError::new(
            "/planned_procurement_notice_id",
            "is not a planned procurement notice (UK3) of your organisation",
        ));
    }
    if let Some(domain::framework::EligibleBuyers::Listed(buyers)) =
        spec.framework.as_ref().map(|f| &f.eligible_buyers)
    {
        for (i, id) in buyers.iter().enumerate() {
            let found = persistence::organisations::find(conn, *id).await?;
            if !found.is_some_and(|o| o.kind == OrganisationKind::Buyer) {
                v.push(FieldError::new(
                    format!("/framework/eligible_buyers/{i}"),
                    "is not a buyer organisation",
                ));
            }
        }
    }
    if !persistence::reference::category_exists(conn, &spec.category).await? {
        v.push(FieldError::new("/category", "is not a known category code"));
    }
    for (i, id) in spec.invited_supplier_ids.iter().enumerate() {
        let found = persistence::organisations::find(conn, *id).await?;
        if !found.is_some_and(|o| o.kind == OrganisationKind::Supplier) {
            v.push(FieldError::new(
                format!("/invited_supplier_ids/{i}"),
                "is not a supplier organisation",
            ));
        }
    }
    Ok(v.finish()?)
}

/// The planned procurement notice `id` when it is a UK3 of `buyer`.
pub(super) async fn planned_notice<C: ConnectionTrait>(
    conn: &C,
    buyer: OrganisationId,
    id: NoticeId,
) -> Result<Option<persistence::notices::Notice>, ServiceError> {
    Ok(persistence::notices::find(conn, id)
        .await?
        .filter(|n| n.notice_type == NoticeType::Uk3 && n.buyer_id == buyer))
}

/// Whether a tender of `buyer` as `spec` describes it is above threshold (by the buyer's kind of
/// authority and the estimated value including VAT), refusing what the Act then forbids.
pub(super) async fn check_covered<C: ConnectionTrait>(
    conn: &C,
    thresholds: &Thresholds,
    buyer: OrganisationId,
    spec: &TenderSpec,
) -> Result<bool, ServiceError> {
    let above = above_threshold(conn, thresholds, buyer, spec.estimated_value_pence).await?;
    if spec.call_off_of.is_some() {
        // A call-off under a framework is not a competitive tendering procedure: the
        // framework was (s.45–46); its suppliers are the only bidders, by invitation.
        return Ok(above);
    }
    let mut v = Validator::new();
    v.check(domain::procurement::check_covered(
        above,
        spec.procedure,
        spec.standstill_days.days(),
    ));
    v.check(spec.division.check_above_threshold(above));
    v.finish()?;
    Ok(above)
}

pub(super) async fn above_threshold<C: ConnectionTrait>(
    conn: &C,
    thresholds: &Thresholds,
    buyer: OrganisationId,
    estimated_value_pence: i64,
) -> Result<bool, ServiceError> {
    let authority = persistence::organisations::get(conn, buyer)
        .await?
        .authority_type
        .unwrap_or(AuthorityType::SubCentral);
    Ok(thresholds.covers(authority, estimated_value_pence))
}

/// Creates a draft tender for the buyer lead's organisation.
pub async fn create(
    ctx: &Ctx,
    actor: &Actor,
    spec: &TenderSpec,
) -> Result<TenderView, ServiceError> {
    tender::require_tender_manager(actor)?;
    let command = ctx.command().await?;
    let shown = create_in(
        &command,
        &ctx.config().thresholds,
        Some(*actor),
        actor.organisation_id,
        spec,
    )
    .await?;
    command.commit().await?;
    Ok(shown)
}

/// Drafts a competitive selection call-off's tender inside the call-off's command.
pub(crate) async fn create_call_off_draft(
    command: &Command,
    thresholds: &Thresholds,
    actor: &Actor,
    spec: &TenderSpec,
) -> Result<TenderView, ServiceError> {
    create_in(
        command,
        thresholds,
        Some(*actor),
        actor.organisation_id,
        spec,
    )
    .await
}

/// Creates a draft for `buyer` inside `command`. `actor` is `None` only for the demo loader,
/// which still loads its market in one transaction of its own.
async fn create_in(
    command: &Command,
    thresholds: &Thresholds,
    actor: Option<Actor>,
    buyer: OrganisationId,
    spec: &TenderSpec,
) -> Result<TenderView, ServiceError> {
    check_references(command.conn(), buyer, spec).await?;
    let above = check_covered(command.conn(), thresholds, buyer, spec).await?;
    let created =
        persistence::tenders::insert(command.conn(), buyer, spec, above, command.now()).await?;
    let shown = view(command.conn(), None, created, TenderStatus::Draft).await?;
    command
        .audit(
            AuditEntry::new(actor, "tender.created", "tender", shown.tender.id)
                .after(audit_value(&shown)),
        )
        .await?;
    Ok(shown)
}

/// A change to a draft: each field given replaces the draft's; criteria, when given, replace
/// the draft's criteria (and get new ids).
#[derive(Debug, Clone, Default)]
pub struct DraftChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub region: Option<Region>,
    pub estimated_value_pence: Option<i64>,
    /// `Some(None)` removes the ceiling.
    pub budget_ceiling_pence: Option<Option<i64>>,
    pub contract_term_months: Option<i64>,
    pub procedure: Option<Procedure>,
    pub invited_supplier_ids: Option<Vec<OrganisationId>>,
    pub criteria: Option<Vec<NewCriterion>>,
    pub clarification_deadline: Option<DateTime<Utc>>,
    pub submission_deadline: Option<DateTime<Utc>>,
    pub standstill_days: Option<i64>,
    /// `Some(None)` withdraws a stated urgency.
    pub urgency_reason: Option<Option<String>>,
    /// `Some(None)` no longer relies on a planned procurement notice.
    pub planned_procurement_notice_id: Option<Option<NoticeId>>,
    /// `Some(None)` removes it (a procedure other than competitive flexible has none).
    pub expression_of_interest_deadline: Option<Option<DateTime<Utc>>>,
    /// `Some(None)` removes them.
    pub conditions_of_participation: Option<Option<String>>,
    /// Direct award: `Some(None)` removes each.
    pub direct_award_ground: Option<Option<domain::tender::DirectAwardGround>>,
    pub direct_award_justification: Option<Option<String>>,
    pub direct_award_supplier_id: Option<Option<OrganisationId>>,
    /// Replaces the lots (an empty list: not divided); they get new ids.
    pub lots: Option<Vec<domain::tender::NewLot>>,
    /// `Some(None)` removes each.
    pub max_lots_per_supplier: Option<Option<i64>>,
    pub no_lots_rationale: Option<Option<String>>,
    /// `Some(None)`: the tender no longer procures a framework.
    pub framework: Option<Option<domain::framework::NewFrameworkTerms>>,
}

/// Terms as stored, written again as the buyer would (to re-parse a draft with other changes).
fn terms_as_written(
    terms: &domain::framework::FrameworkTerms,
) -> domain::framework::NewFrameworkTerms {
    domain::framework::NewFrameworkTerms {
        max_suppliers: i64::from(terms.max_suppliers),
        term_months: i64::from(terms.term_months),
        call_off_methods: terms.call_off_methods.clone(),
        direct_award_rule: terms.direct_award_rule,
        eligible_buyers: match &terms.eligible_buyers {
            domain::framework::EligibleBuyers::All => None,
            domain::framework::EligibleBuyers::Listed(buyers) => Some(buyers.clone()),
        },
    }
}

impl DraftChanges {
    fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.category.is_none()
            && self.region.is_none()
            && self.estimated_value_pence.is_none()
            && self.budget_ceiling_pence.is_none()
            && self.contract_term_months.is_none()
            && self.procedure.is_none()
            && self.invited_supplier_ids.is_none()
            && self.criteria.is_none()
            && self.clarification_deadline.is_none()
            && self.submission_deadline.is_none()
            && self.standstill_days.is_none()
            && self.urgency_reason.is_none()
            && self.planned_procurement_notice_id.is_none()
            && self.expression_of_interest_deadline.is_none()
            && self.conditions_of_participation.is_none()
            && self.direct_award_ground.is_none()
            && self.direct_award_justification.is_none()
            && self.direct_award_supplier_id.is_none()
            && self.lots.is_none()
            && self.max_lots_per_supplier.is_none()
            && self.no_lots_rationale.is_none()
            && self.framework.is_none()
    }

    /// The draft as it would be with these changes, parsed by the domain.
    fn apply_to(&self, current: &Tender) -> Result<TenderSpec, DomainError> {
        let criteria = match &self.criteria {
            Some(c) => c.clone(),
            None => current
                .criteria
                .iter()
                .map(|c| NewCriterion {
                    name: c.name.clone(),
                    kind: c.kind.as_str().to_owned(),
                    weight: i64::from(c.weight),
                })
                .collect(),
        };
        let procedure = self.procedure.unwrap_or(current.procedure);
        let lots = match &self.lots {
            Some(lots) => lots.clone(),
            None => current
                .lots
                .iter()
                .map(|l| domain::tender::NewLot {
                    title: l.title.clone(),
                    description: l.description.clone(),
                    estimated_value_pence: l.estimated_value_pence,
                })
                .collect(),
        };
        let framework = match &self.framework {
            Some(changed) => changed.clone(),
            None => current.framework.as_ref().map(terms_as_written),
        };
        let direct = procedure == Procedure::DirectAward;
        let invited = match &self.invited_supplier_ids {
            Some(ids) => ids.clone(),
            None if procedure == Procedure::Open => Vec::new(),
            None => current.invited.clone(),
        };
        TenderSpec::parse(&TenderFields {
            title: self.title.as_deref().unwrap_or(&current.title),
            description: self.description.as_deref().unwrap_or(&current.description),
            category: self.category.as_deref().unwrap_or(&current.category),
            region: self.region.unwrap_or(current.region),
            estimated_value_pence: self
                .estimated_value_pence
                .unwrap_or(current.estimated_value_pence),
            budget_ceiling_pence: self
                .budget_ceiling_pence
                .unwrap_or(current.budget_ceiling_pence),
            contract_term_months: self
                .contract_term_months
                .unwrap_or(i64::from(current.contract_term_months)),
            procedure,
            invited_supplier_ids: &invited,
            criteria: &criteria,
            // A direct award has no deadlines: only those sent count (and are refused).
            clarification_deadline: if direct {
                self.clarification_deadline
            } else {
                Some(
                    self.clarification_deadline
                        .unwrap_or(current.clarification_deadline),
                )
            },
            submission_deadline: if direct {
                self.submission_deadline
            } else {
                Some(
                    self.submission_deadline
                        .unwrap_or(current.submission_deadline),
                )
            },
            standstill_days: Some(
                self.standstill_days
                    .unwrap_or(i64::from(current.standstill_days)),
            ),
            urgency_reason: match &self.urgency_reason {
                Some(changed) => changed.as_deref(),
                None => current.urgency_reason.as_deref(),
            },
            planned_procurement_notice_id: self
                .planned_procurement_notice_id
                .unwrap_or(current.planned_procurement_notice_id),
            expression_of_interest_deadline: self
                .expression_of_interest_deadline
                .unwrap_or(current.expression_of_interest_deadline),
            conditions_of_participation: match &self.conditions_of_participation {
                Some(changed) => changed.as_deref(),
                None => current.conditions_of_participation.as_deref(),
            },
            direct_award_ground: self
                .direct_award_ground
                .unwrap_or(current.direct_award.as_ref().map(|d| d.ground)),
            direct_award_justification: match &self.direct_award_justification {
                Some(changed) => changed.as_deref(),
                None => current
                    .direct_award
                    .as_ref()
                    .map(|d| d.justification.as_str()),
            },
            direct_award_supplier_id: self
                .direct_award_supplier_id
                .unwrap_or(current.direct_award.as_ref().map(|d| d.supplier_id)),
            lots: &lots,
            max_lots_per_supplier: self
                .max_lots_per_supplier
                .unwrap_or(current.max_lots_per_supplier.map(i64::from)),
            no_lots_rationale: match &self.no_lots_rationale {
                Some(changed) => changed.as_deref(),
                None => current.no_lots_rationale.as_deref(),
            },
            framework: framework.as_ref(),
        })
    }
}

/// Edits a draft (the buyer's lead), which must still be at the version `expected` names.
pub async fn update(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    expected: &Expected,
    changes: &DraftChanges,
) -> Result<TenderView, ServiceError> {
    let (command, current, status) = lead_command(ctx, actor, id, "edit this tender").await?;
    expected.require(current.version)?;
    if changes.is_empty() {
        return Err(ServiceError::field("", "give at least one field to change"));
    }
    status.check_editable()?;
    let spec = changes.apply_to(&current)?;
    check_references(command.conn(), current.buyer_id, &spec).await?;
    let above = check_covered(
        command.conn(),
        &ctx.config().thresholds,
        current.buyer_id,
        &spec,
    )
    .await?;
    let before = view(command.conn(), None, current.clone(), status).await?;
    let changed = persistence::tenders::replace_draft(
        command.conn(),
        &current,
        &spec,
        above,
        changes.criteria.is_some(),
        command.now(),
    )
    .await?
    .ok_or_else(|| ServiceError::Stale("The tender changed while you edited it.".to_owned()))?;
    let shown = view(command.conn(), None, changed, TenderStatus::Draft).await?;
    audit_change(&command, Some(*actor), "tender.updated", &before, &shown).await?;
    command.commit().await?;
    Ok(shown)
}
