//! A framework's award (s.45): the lead admits up to the framework's most suppliers (on one lot
//! of a divided framework) by naming their bids — any but the top-ranked with a justification —
//! which sends every assessed bidder its summary, publishes one contract award notice naming
//! every admitted supplier and starts one standstill; after it the lead enters the framework
//! agreement, each admitted supplier holding a place on it.

use super::*;
use domain::framework::check_framework_award;
use domain::tender::LotStatus;
use persistence::frameworks::{Framework, NewFramework, Place};

/// The lead admits the suppliers of `bid_ids` (all on one lot of a divided framework).
pub async fn award_framework(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    bid_ids: &[BidId],
    justification: Option<&str>,
) -> Result<Vec<AwardView>, ServiceError> {
    let (command, tender, status) = lead_command(ctx, actor, id, "award this tender").await?;
    let Some(terms) = tender.framework.clone() else {
        return Err(ServiceError::field(
            "/bid_ids",
            "is only for a framework: a contract is awarded to one bid (bid_id)",
        ));
    };
    let undivided_next = status.start_standstill()?;
    let mut lot = None;
    let mut v = domain::error::Validator::new();
    for (i, bid) in bid_ids.iter().enumerate() {
        let on = persistence::bids::find(command.conn(), tender.id, *bid)
            .await?
            .and_then(|b| b.lot_id);
        if i == 0 {
            lot = on;
        } else if on != lot {
            v.push(domain::FieldError::new(
                format!("/bid_ids/{i}"),
                "is on another lot: a framework's lot is awarded on its own",
            ));
        }
    }
    v.finish()?;
    if let Some(lot) = lot.and_then(|l| tender.lot(l)) {
        lot.status.award()?;
    }
    let evaluated = evaluate(command.conn(), &tender, lot, command.now()).await?;
    let justification = check_framework_award(
        &evaluated.ranking,
        bid_ids,
        terms.max_suppliers,
        justification,
    )?;
    if tender.is_divided() {
        let won = lots_won(command.conn(), &tender).await?;
        let division = tender.division();
        for bid in bid_ids {
            let supplier = evaluated.bids.get(bid).map(|b| b.supplier_id);
            if supplier
                .is_some_and(|s| !division.may_win_another(won.get(&s).copied().unwrap_or(0)))
            {
                return Err(ServiceError::conflict(format!(
                    "the supplier of bid {bid} already holds the most lots one supplier may win \
                     (max_lots_per_supplier)"
                )));
            }
        }
    }
    let now = command.now();
    let standstill = crate::calendar::standstill_from_now(&command, tender.standstill_days).await?;
    let summaries = assess(&evaluated, &tender, bid_ids);
    let mut shown = Vec::new();
    let mut admitted = Vec::new();
    for bid_id in bid_ids {
        let (Some(ranked), Some(bid)) =
            (evaluated.ranking.find(*bid_id), evaluated.bids.get(bid_id))
        else {
            return Err(DomainError::NotFound("bid").into());
        };
        let award = persistence::awards::insert(
            command.conn(),
            NewAward {
                tender_id: tender.id,
                lot_id: lot,
                framework: true,
                bid_id: *bid_id,
                supplier_id: bid.supplier_id,
                rank: i32::try_from(ranked.rank).unwrap_or(i32::MAX),
                justification: justification.clone(),
                awarded_by: actor.user_id,
                awarded_at: now,
                standstill_last_day: standstill.last_day,
                standstill_ends_at: standstill.ends_at,
                assessment_summaries_sent_at: Some(now),
            },
        )
        .await?;
        // Each admitted supplier's award holds the lot's summaries: every assessed bidder is
        // sent its own once, before the contract award notice (s.50(3)).
        send_summaries(&command, &award, &summaries).await?;
        let name = evaluated
            .names
            .get(&bid.supplier_id)
            .cloned()
            .unwrap_or_default();
        admitted.push(json!({
            "supplier_id": bid.supplier_id,
            "supplier_name": name,
            "value_pence": bid.price_pence,
        }));
        shown.push(award_view(award, name, true));
    }
    let next = crate::tenders::settle_lot(
        &command,
        &tender,
        lot,
        LotStatus::Standstill,
        undivided_next,
        Transition::default(),
    )
    .await?;
    let names: Vec<&str> = shown.iter().map(|a| a.supplier_name.as_str()).collect();
    let outcome_query = lot.map(|l| format!("?lot={l}")).unwrap_or_default();
    notify_bidders(
        &command,
        &tender,
        lot,
        NotificationKind::TenderAwarded,
        format!("Framework awarded: {}", subject_of(&tender, lot)),
        format!(
            "The framework admits {}. Your assessment summary is at \
             /api/v1/tenders/{}/outcome{outcome_query}. The standstill runs until {}.",
            names.join(", "),
            tender.id,
            standstill.ends_at.to_rfc3339()
        ),
    )
    .await?;
    let awarded = persistence::tenders::find(command.conn(), tender.id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    crate::notices::publish_for_tender(
        &command,
        Some(actor),
        NoticeType::Uk6,
        &awarded,
        next,
        None,
        json!({
            "framework": true,
            "lot_id": lot,
            "lot_title": lot.and_then(|l| tender.lot(l)).map(|l| l.title.clone()),
            "suppliers": admitted,
            "tenders_received": evaluated.bids.len() + evaluated.exclusions.len(),
            "assessment_summaries_sent_at": now,
            "standstill_last_day": standstill.last_day,
            "standstill_ends_at": standstill.ends_at,
        }),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "tender.framework_awarded", "tender", tender.id)
                .before(json!({"status": status.as_str()}))
                .after(json!({
                    "status": next.as_str(),
                    "lot_id": lot,
                    "framework_awards": audit_json(&shown)?,
                    "assessment_summaries_sent": summaries.len(),
                    "ranking": audit_json(&evaluated.view(&tender))?,
                })),
        )
        .await?;
    command.commit().await?;
    Ok(shown)
}

/// A framework agreement with what readers see of it: its buyer, terms, lots and places.
#[derive(Debug, Clone)]
pub struct FrameworkView {
    pub framework: Framework,
    pub buyer_name: String,
    pub terms: domain::framework::FrameworkTerms,
    pub lots: Vec<persistence::tenders::Lot>,
    /// The places in force, each with its holder's name.
    pub places: Vec<(Place, String)>,
    /// The contracts called off under it, the earliest first: public, as each was published
    /// in a contract award notice. A call-off still open is its buyer's alone.
    pub call_offs: Vec<CalledOff>,
}

/// A contract called off under a framework, with its buyer's and holder's names.
#[derive(Debug, Clone)]
pub struct CalledOff {
    pub contract: persistence::contracts::Contract,
    pub buyer_name: String,
    pub supplier_name: String,
}

impl FrameworkView {
    /// The total value of the contracts called off under it.
    pub fn call_offs_value_pence(&self) -> i64 {
        self.call_offs
            .iter()
            .map(|c| c.contract.terms.total_value_pence)
            .sum()
    }
}

pub(crate) async fn framework_view<C: sea_orm::ConnectionTrait>(
    conn: &C,
    framework: Framework,
    today: chrono::NaiveDate,
) -> Result<FrameworkView, ServiceError> {
    let tender = persistence::tenders::find(conn, framework.tender_id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let terms = tender
        .framework
        .clone()
        .ok_or_else(|| ServiceError::Internal("a framework without terms".into()))?;
    let mut places = persistence::frameworks::places(conn, framework.id).await?;
    // By lot, then by the rank the admitting award gave the bid.
    let ranks: std::collections::HashMap<Uuid, i32> =
        persistence::awards::history(conn, framework.tender_id)
            .await?
            .into_iter()
            .map(|a| (a.id, a.decision.rank))
            .collect();
    let number = |lot: Option<LotId>| lot.and_then(|l| tender.lot(l)).map_or(0, |l| l.number);
    places.sort_by_key(|p| {
        (
            number(p.lot_id),
            ranks.get(&p.award_id).copied().unwrap_or(0),
        )
    });
    let contracts = persistence::contracts::of_framework(conn, framework.id, today).await?;
    let mut ids: Vec<OrganisationId> = places.iter().map(|p| p.supplier_id).collect();
    ids.push(framework.buyer_id);
    ids.extend(
        contracts
            .iter()
            .flat_map(|c| [c.terms.buyer_id, c.supplier_id]),
    );
    let names = persistence::organisations::names(conn, &ids).await?;
    let name = |id: &OrganisationId| names.get(id).cloned().unwrap_or_default();
    let call_offs = contracts
        .into_iter()
        .map(|contract| CalledOff {
            buyer_name: name(&contract.terms.buyer_id),
            supplier_name: name(&contract.supplier_id),
            contract,
        })
        .collect();
    Ok(FrameworkView {
        call_offs,
        buyer_name: names.get(&framework.buyer_id).cloned().unwrap_or_default(),
        places: places
            .into_iter()
            .map(|p| {
                let name = names.get(&p.supplier_id).cloned().unwrap_or_default();
                (p, name)
            })
            .collect(),
        framework,
        terms,
        lots: tender.lots,
    })
}

/// What the audit log keeps of a framework agreement.
fn framework_value(view: &FrameworkView) -> serde_json::Value {
    let f = &view.framework;
    json!({
        "id": f.id,
        "tender_id": f.tender_id,
        "buyer_id": f.buyer_id,
        "title": f.title,
        "start_date": f.start_date,
        "end_date": f.end_date,
        "places": view.places.iter().map(|(p, name)| json!({
            "lot_id": p.lot_id,
            "supplier_id": p.supplier_id,
            "supplier_name": name,
            "award_id": p.award_id,
        })).collect::<Vec<_>>(),
    })
}

/// The lead enters the framework agreement (or adds one lot's suppliers to it) once the
/// standstill has ended with no open challenge: each admitted supplier takes its place. The
/// agreement runs from `start_date` for the framework's term (at most four years, s.47).
pub(super) async fn confirm_framework(
    command: &Command,
    actor: &Actor,
    tender: &Tender,
    status: TenderStatus,
    lot: Option<LotId>,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
) -> Result<FrameworkView, ServiceError> {
    let terms = tender
        .framework
        .clone()
        .ok_or_else(|| ServiceError::Internal("not a framework".into()))?;
    let undivided_next = match lot.and_then(|l| tender.lot(l)) {
        Some(lot) => {
            lot.status.confirm()?;
            status
        }
        None => status.confirm_award()?,
    };
    let awards: Vec<Award> = persistence::awards::all_in_force(command.conn(), tender.id)
        .await?
        .into_iter()
        .filter(|a| a.decision.lot_id == lot && a.status == AwardStatus::Standstill)
        .collect();
    let first = awards
        .first()
        .ok_or_else(|| ServiceError::conflict("the framework has no award in standstill"))?;
    let open = persistence::awards::challenges(command.conn(), tender.id)
        .await?
        .into_iter()
        .filter(|c| c.status == ChallengeStatus::Open && awards.iter().any(|a| a.id == c.award_id))
        .count();
    let now = command.now();
    contract::check_contract_may_start(first.decision.standstill_ends_at, now, open)?;
    let framework =
        match persistence::frameworks::of_tender(command.conn(), tender.id, uk_date(now)).await? {
            Some(framework) => framework,
            None => {
                let term = ContractTerm::parse(
                    start_date,
                    end_date,
                    u32::from(terms.term_months),
                    uk_date(first.decision.standstill_ends_at),
                )?;
                let longest = term
                    .start_date
                    .checked_add_months(chrono::Months::new(
                        u32::try_from(domain::framework::MAX_TERM_MONTHS).unwrap_or(48),
                    ))
                    .and_then(|d| d.pred_opt());
                if longest.is_some_and(|last| term.end_date > last) {
                    return Err(ServiceError::field(
                        "/end_date",
                        "must be within four years of the start: a framework lasts at most four \
                     years (Procurement Act 2023 s.47)",
                    ));
                }
                persistence::frameworks::insert(
                    command.conn(),
                    NewFramework {
                        tender_id: tender.id,
                        buyer_id: tender.buyer_id,
                        title: tender.title.clone(),
                        category: tender.category.clone(),
                        region: tender.region,
                        start_date: term.start_date,
                        end_date: term.end_date,
                        created_by: actor.user_id,
                    },
                    now,
                    uk_date(now),
                )
                .await?
            }
        };
    for award in &awards {
        persistence::frameworks::add_place(
            command.conn(),
            framework.id,
            lot,
            award.id,
            award.decision.supplier_id,
            now,
        )
        .await?;
        persistence::awards::set_status(command.conn(), award.id, AwardStatus::Contracted, now)
            .await?;
    }
    let next = crate::tenders::settle_lot(
        command,
        tender,
        lot,
        LotStatus::Awarded,
        undivided_next,
        Transition::default(),
    )
    .await?;
    let shown = framework_view(command.conn(), framework, uk_date(now)).await?;
    notify_bidders(
        command,
        tender,
        lot,
        NotificationKind::ContractAwarded,
        format!("Framework entered: {}", subject_of(tender, lot)),
        format!(
            "The framework agreement runs from {} to {}.",
            shown.framework.start_date, shown.framework.end_date
        ),
    )
    .await?;
    let entered = persistence::tenders::find(command.conn(), tender.id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    crate::notices::publish_for_tender(
        command,
        Some(actor),
        NoticeType::Uk7,
        &entered,
        next,
        None,
        json!({
            "framework_id": shown.framework.id,
            "lot_id": lot,
            "suppliers": shown
                .places
                .iter()
                .filter(|(p, _)| p.lot_id == lot)
                .map(|(p, name)| json!({"supplier_id": p.supplier_id, "supplier_name": name}))
                .collect::<Vec<_>>(),
            "start_date": shown.framework.start_date,
            "end_date": shown.framework.end_date,
        }),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "framework.entered", "framework", shown.framework.id)
                .after(framework_value(&shown)),
        )
        .await?;
    command
        .audit(
            AuditEntry::by(actor, "tender.framework_entered", "tender", tender.id)
                .before(json!({"status": status.as_str()}))
                .after(json!({
                    "status": next.as_str(),
                    "lot_id": lot,
                    "framework_id": shown.framework.id,
                })),
        )
        .await?;
    Ok(shown)
}
