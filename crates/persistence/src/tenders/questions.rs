//! Clarification questions on a tender and their answers.

use super::*;
use crate::entities::clarifications;

/// A clarification question and, once given, its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clarification {
    pub id: ClarificationId,
    pub tender_id: TenderId,
    pub asked_by_organisation_id: OrganisationId,
    pub question: String,
    pub asked_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

pub(crate) fn to_clarification(model: clarifications::Model) -> Clarification {
    Clarification {
        id: ClarificationId::from_uuid(model.id),
        tender_id: TenderId::from_uuid(model.tender_id),
        asked_by_organisation_id: OrganisationId::from_uuid(model.asked_by_organisation_id),
        question: model.question,
        asked_at: model.asked_at,
        answer: model.answer,
        answered_at: model.answered_at,
    }
}

pub async fn insert_clarification(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    organisation: OrganisationId,
    user: UserId,
    question: &str,
    now: DateTime<Utc>,
) -> Result<Clarification, StoreError> {
    let model = clarifications::ActiveModel {
        id: Set(ClarificationId::new().as_uuid()),
        tender_id: Set(tender.as_uuid()),
        asked_by_organisation_id: Set(organisation.as_uuid()),
        asked_by_user_id: Set(user.as_uuid()),
        question: Set(question.to_owned()),
        asked_at: Set(now),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(to_clarification(model))
}

pub async fn find_clarification(
    conn: &impl ConnectionTrait,
    tender: TenderId,
    id: ClarificationId,
) -> Result<Option<Clarification>, StoreError> {
    Ok(clarifications::Entity::find_by_id(id.as_uuid())
        .filter(clarifications::Column::TenderId.eq(tender.as_uuid()))
        .one(conn)
        .await?
        .map(to_clarification))
}

/// Records the answer unless one was given meanwhile; `Ok(None)` then.
pub async fn answer_clarification<C: ConnectionTrait>(
    conn: &C,
    clarification: &Clarification,
    answer: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Option<Clarification>, StoreError> {
    let result = clarifications::Entity::update_many()
        .col_expr(
            clarifications::Column::Answer,
            Expr::value(answer.to_owned()),
        )
        .col_expr(
            clarifications::Column::AnsweredBy,
            Expr::value(by.as_uuid()),
        )
        .col_expr(clarifications::Column::AnsweredAt, Expr::value(now))
        .filter(clarifications::Column::Id.eq(clarification.id.as_uuid()))
        .filter(clarifications::Column::Answer.is_null())
        .exec(conn)
        .await?;
    if result.rows_affected == 0 {
        return Ok(None);
    }
    find_clarification(conn, clarification.tender_id, clarification.id).await
}

/// Every question on a tender, oldest first; the caller shows each as the actor may see it.
pub async fn clarifications(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<Clarification>, StoreError> {
    Ok(clarifications::Entity::find()
        .filter(clarifications::Column::TenderId.eq(tender.as_uuid()))
        .order_by_asc(clarifications::Column::AskedAt)
        .order_by_asc(clarifications::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(to_clarification)
        .collect())
}

/// Organisations that asked a question on the tender.
pub async fn askers(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<OrganisationId>, StoreError> {
    let mut askers: Vec<OrganisationId> = clarifications::Entity::find()
        .filter(clarifications::Column::TenderId.eq(tender.as_uuid()))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| OrganisationId::from_uuid(c.asked_by_organisation_id))
        .collect();
    askers.sort();
    askers.dedup();
    Ok(askers)
}
