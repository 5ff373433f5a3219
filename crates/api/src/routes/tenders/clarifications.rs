//! Clarification questions and their answers.

use super::*;

/// A clarification question and its answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Clarification)]
pub struct ClarificationResponse {
    /// The question's id.
    pub id: Uuid,
    /// The tender it is about.
    pub tender_id: Uuid,
    /// The question.
    pub question: String,
    /// When it was asked.
    pub asked_at: DateTime<Utc>,
    /// The organisation that asked: shown to the buyer only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asked_by_organisation_id: Option<Uuid>,
    /// Whether the signed-in user's organisation asked it.
    pub asked_by_you: bool,
    /// The buyer's answer, once given.
    pub answer: Option<String>,
    /// When it was answered.
    pub answered_at: Option<DateTime<Utc>>,
}

/// Asks the buyer a question about a published tender, before the clarification deadline
/// (suppliers able to bid). Until answered, only the asker and the buyer see it.
#[utoipa::path(
    post,
    path = "/tenders/{id}/clarifications",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body = AskClarificationRequest,
    responses(
        (status = 201, description = "The question, as asked.", body = ClarificationResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn ask_clarification(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    body: Result<JsonBody<AskClarificationRequest>, ApiError>,
) -> Result<(StatusCode, Json<ClarificationResponse>), ApiError> {
    let JsonBody(request) = body?;
    let asked = service::clarifications::ask(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        &request.question,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(asked.into())))
}

/// A clarification question.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskClarificationRequest {
    /// The question: 1 to 4000 characters.
    #[schema(min_length = 1, max_length = 4000)]
    pub question: String,
}

/// The tender's questions that the signed-in user may see, oldest first: answered ones for
/// everyone who can see the tender, unanswered ones for the asker and the buyer; who asked, for
/// the buyer only.
#[utoipa::path(
    get,
    path = "/tenders/{id}/clarifications",
    tag = "tenders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The questions.", body = ClarificationList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_clarifications(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<ClarificationList>, ApiError> {
    let items = service::clarifications::list(&state.ctx, &actor, TenderId::from_uuid(id))
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(Json(ClarificationList { items }))
}

/// A tender's clarifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClarificationList {
    /// The questions, oldest first.
    pub items: Vec<ClarificationResponse>,
}

/// Answers a question (the buyer's lead, until the submission deadline). The answer becomes
/// visible to every supplier that can see the tender, without the asker's name, and they are
/// notified.
#[utoipa::path(
    post,
    path = "/tenders/{id}/clarifications/{cid}/answer",
    tag = "tenders",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The tender's id."),
        ("cid" = Uuid, Path, description = "The question's id."),
    ),
    request_body = AnswerClarificationRequest,
    responses(
        (status = 200, description = "The answered question.", body = ClarificationResponse),
        crate::error::AccessProblems,
        crate::error::BodyProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn answer_clarification(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams((id, cid)): PathParams<(Uuid, Uuid)>,
    body: Result<JsonBody<AnswerClarificationRequest>, ApiError>,
) -> Result<Json<ClarificationResponse>, ApiError> {
    let JsonBody(request) = body?;
    let answered = service::clarifications::answer(
        &state.ctx,
        &actor,
        TenderId::from_uuid(id),
        ClarificationId::from_uuid(cid),
        &request.answer,
    )
    .await?;
    Ok(Json(answered.into()))
}

/// The buyer's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerClarificationRequest {
    /// The answer: 1 to 10000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub answer: String,
}

impl From<ClarificationSeen> for ClarificationResponse {
    fn from(seen: ClarificationSeen) -> Self {
        let c = seen.clarification;
        Self {
            id: c.id.as_uuid(),
            tender_id: c.tender_id.as_uuid(),
            question: c.question,
            asked_at: c.asked_at,
            asked_by_organisation_id: (seen.view == ClarificationView::WithAsker)
                .then(|| c.asked_by_organisation_id.as_uuid()),
            asked_by_you: seen.asked_by_viewer,
            answer: c.answer,
            answered_at: c.answered_at,
        }
    }
}
