//! Files: a tender's documents (uploaded by its lead; public once the tender is published) and
//! a bid's attachments (uploaded by the bidding supplier before the deadline; sealed exactly
//! like the bid). Uploads are `multipart/form-data`, streamed to a spool file and refused past
//! 25 MiB without reading further; downloads stream from the store.

use crate::auth::{AuthUser, MaybeAuthUser};
use crate::dto::{Created, created};
use crate::error::{
    ApiError, BadRequest, DeadlinePassed, NotFound, PayloadTooLarge, Unauthorized,
    UnsupportedMediaType, ValidationFailed,
};
use crate::extract::PathParams;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::ids::{AttachmentId, BidId, DocumentId, TenderId};
use persistence::documents::{Attachment, Document, StoredFile};
use serde::{Deserialize, Serialize};
use service::documents::{Content, DocumentInput, Spooler, Upload};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The largest upload request accepted: the largest file and room for the form's other fields.
pub const UPLOAD_BODY_MAX: usize = domain::document::FILE_MAX_BYTES as usize + 64 * 1024;

/// A multipart form: its file, spooled and checked, and its short text fields.
pub struct UploadForm {
    pub upload: Upload,
    pub fields: HashMap<String, String>,
}

fn multipart_failed(err: &MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        service::documents::too_large().into()
    } else {
        ApiError::BadRequest(format!(
            "The multipart form could not be read: {}",
            err.body_text()
        ))
    }
}

/// The longest text field of an upload form.
const FIELD_MAX_BYTES: usize = 4096;

impl FromRequest<AppState> for UploadForm {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        // A declared length past the limit is refused before a byte of the body is read.
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|length| length > UPLOAD_BODY_MAX as u64) {
            return Err(service::documents::too_large().into());
        }
        let mut multipart =
            Multipart::from_request(request, state)
                .await
                .map_err(|e: MultipartRejection| {
                    ApiError::UnsupportedMediaType(format!(
                        "Send the file as multipart/form-data ({})",
                        e.body_text()
                    ))
                })?;
        let mut upload = None;
        let mut fields = HashMap::new();
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|e| multipart_failed(&e))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                if upload.is_some() {
                    return Err(ApiError::Validation(vec![domain::FieldError::new(
                        "/file",
                        "send one file per request",
                    )]));
                }
                let sent_name = field.file_name().unwrap_or_default().to_owned();
                let mut spooler = Spooler::new().await?;
                while let Some(chunk) = field.chunk().await.map_err(|e| multipart_failed(&e))? {
                    spooler.write(&chunk).await?;
                }
                upload = Some(spooler.finish(&sent_name, "/file").await?);
            } else {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| multipart_failed(&e))? {
                    text.extend_from_slice(&chunk);
                    if text.len() > FIELD_MAX_BYTES {
                        return Err(ApiError::Validation(vec![domain::FieldError::new(
                            format!("/{name}"),
                            format!("must be at most {FIELD_MAX_BYTES} bytes"),
                        )]));
                    }
                }
                let text = String::from_utf8(text).map_err(|_| {
                    ApiError::Validation(vec![domain::FieldError::new(
                        format!("/{name}"),
                        "must be UTF-8 text",
                    )])
                })?;
                fields.insert(name, text);
            }
        }
        let upload = upload.ok_or_else(|| {
            ApiError::Validation(vec![domain::FieldError::new(
                "/file",
                "is required: attach the file as the form's `file` part",
            )])
        })?;
        Ok(Self { upload, fields })
    }
}

/// The form that uploads a tender document.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct DocumentUpload {
    /// The file: PDF, DOCX, XLSX, PPTX, ODT, ODS, CSV, plain text, PNG or JPEG (decided by its
    /// content), at most 25 MiB.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// What the document is called.
    #[schema(min_length = 1, max_length = 200)]
    title: String,
    /// The OCDS documentType: biddingDocuments, technicalSpecifications, evaluationCriteria,
    /// contractDraft, clarifications or other.
    #[schema(example = "technicalSpecifications")]
    document_type: String,
    /// A document of this tender this is a new version of (its newest version).
    replaces: Option<Uuid>,
}

/// The form that attaches a file to a bid.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// The file: PDF, DOCX, XLSX, PPTX, ODT, ODS, CSV, plain text, PNG or JPEG (decided by its
    /// content), at most 25 MiB; a bid holds at most 20 files and 100 MiB.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    /// What the attachment is (a method statement, a pricing workbook).
    #[schema(min_length = 1, max_length = 200)]
    title: String,
}

/// A stored file's description.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FileFacts {
    /// The file name kept: a safe base name ending as the content does.
    pub file_name: String,
    /// The media type, decided from the content.
    pub media_type: String,
    /// Its size in bytes.
    pub size_bytes: i64,
    /// The SHA-256 of its bytes, hexadecimal (also its download's ETag).
    pub sha256: String,
}

impl From<&StoredFile> for FileFacts {
    fn from(f: &StoredFile) -> Self {
        Self {
            file_name: f.file_name.clone(),
            media_type: f.kind.media_type().to_owned(),
            size_bytes: f.size_bytes,
            sha256: f.sha256.clone(),
        }
    }
}

/// One version of a tender document.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TenderDocument)]
pub struct DocumentResponse {
    /// This version's id.
    pub id: Uuid,
    /// The tender.
    pub tender_id: Uuid,
    /// What it is called.
    pub title: String,
    /// The OCDS documentType.
    pub document_type: String,
    #[serde(flatten)]
    pub file: FileFacts,
    /// 1 for the first upload; each replacement adds one.
    pub version: i32,
    /// The version this one replaced.
    pub replaces: Option<Uuid>,
    /// When a newer version replaced this one; null while it is current.
    pub superseded_at: Option<DateTime<Utc>>,
    /// When it was uploaded, by the database clock.
    pub uploaded_at: DateTime<Utc>,
    /// Where its bytes are downloaded (without a token once the tender is published).
    pub content_url: String,
}

impl From<&Document> for DocumentResponse {
    fn from(d: &Document) -> Self {
        Self {
            id: d.id.as_uuid(),
            tender_id: d.tender_id.as_uuid(),
            title: d.title.clone(),
            document_type: d.document_type.as_str().to_owned(),
            file: (&d.file).into(),
            version: d.version,
            replaces: d.replaces.map(|r| r.as_uuid()),
            superseded_at: d.superseded_at,
            uploaded_at: d.uploaded_at,
            content_url: service::ocds::document_path(d.id),
        }
    }
}

/// A tender's documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentList {
    /// Every version of every document, oldest first.
    pub items: Vec<DocumentResponse>,
}

/// Adds a document to the tender (its `buyer_lead`), or with `replaces` a new version of one.
/// A draft's documents are its buyer's only; once the tender is published they are public, and
/// adding or replacing one is an amendment: every bidder is told, live bids must be confirmed
/// again, and the tender notice (UK4) is republished listing the document. The file's kind is
/// decided by its content (415 otherwise); beyond 25 MiB the upload is refused (413).
#[utoipa::path(
    post,
    path = "/tenders/{id}/documents",
    tag = "documents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    request_body(content = DocumentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The document version, stored.", body = DocumentResponse,
            headers(("Location" = String, description = "Where its bytes are downloaded."))),
        crate::error::AccessProblems,
        (status = 409, response = DeadlinePassed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn upload_tender_document(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(id): PathParams<Uuid>,
    form: Result<UploadForm, ApiError>,
) -> Result<Created<DocumentResponse>, ApiError> {
    let UploadForm { upload, fields } = form?;
    let replaces = match fields
        .get("replaces")
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
    {
        None => None,
        Some(text) => Some(DocumentId::from_uuid(text.parse().map_err(|_| {
            ApiError::Validation(vec![domain::FieldError::new(
                "/replaces",
                "must be a document id",
            )])
        })?)),
    };
    let input = DocumentInput {
        title: fields.get("title").cloned().unwrap_or_default(),
        document_type: fields.get("document_type").cloned().unwrap_or_default(),
        replaces,
    };
    let (document, _) =
        service::documents::add(&state.ctx, &actor, TenderId::from_uuid(id), &input, upload)
            .await?;
    let shown = DocumentResponse::from(&document);
    let location = shown.content_url.clone();
    created(&location, shown)
}

/// The tender's documents, every version: anyone's once the tender is published (no token
/// needed); a draft's only to its buyer's users (404 to anyone else).
#[utoipa::path(
    get,
    path = "/tenders/{id}/documents",
    tag = "documents",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "The tender's id.")),
    responses(
        (status = 200, description = "The documents.", body = DocumentList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_tender_documents(
    State(state): State<AppState>,
    MaybeAuthUser(actor): MaybeAuthUser,
    PathParams(id): PathParams<Uuid>,
) -> Result<Json<DocumentList>, ApiError> {
    let documents =
        service::documents::list(&state.ctx, actor.as_ref(), TenderId::from_uuid(id)).await?;
    Ok(Json(DocumentList {
        items: documents.iter().map(Into::into).collect(),
    }))
}

/// A conditional download's header.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
struct IfNoneMatch {
    /// The ETag (the sha256) already held: the answer is then 304 without the bytes.
    #[serde(rename = "If-None-Match")]
    #[param(rename = "If-None-Match")]
    if_none_match: Option<String>,
}

/// A file download's answers: its bytes in the media type of each kind accepted (the domain's
/// list, so the contract never drifts from it), or 304 when the ETag sent is the file's.
pub struct FileDownloadResponses;

impl utoipa::IntoResponses for FileDownloadResponses {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        use utoipa::openapi::ContentBuilder;
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::response::ResponseBuilder;
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        let text = || ObjectBuilder::new().schema_type(Type::String);
        let mut ok = ResponseBuilder::new()
            .description("The file's bytes, in its stored media type.")
            .header(
                "ETag",
                HeaderBuilder::new()
                    .schema(Some(text()))
                    .description(Some("The sha256, quoted."))
                    .build(),
            )
            .header(
                "Content-Disposition",
                HeaderBuilder::new()
                    .schema(Some(text()))
                    .description(Some("attachment, with the file name."))
                    .build(),
            );
        for kind in domain::document::FileKind::ALL {
            ok = ok.content(
                kind.media_type(),
                ContentBuilder::new()
                    .schema(Some(
                        text().format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary))),
                    ))
                    .build(),
            );
        }
        let not_modified = ResponseBuilder::new()
            .description("The ETag sent is the file's: nothing new.")
            .build();
        [("200", ok.build()), ("304", not_modified)]
            .into_iter()
            .map(|(status, response)| (status.to_owned(), response.into()))
            .collect()
    }
}

fn etag_of(sha256: &str) -> String {
    format!("\"{sha256}\"")
}

/// Whether `If-None-Match` names the file's ETag (or `*`).
fn not_modified(headers: &HeaderMap, sha256: &str) -> bool {
    let etag = etag_of(sha256);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().trim_start_matches("W/"))
        .any(|v| v == etag || v == "*")
}

/// `Content-Disposition: attachment` with the (already safe, ASCII) file name.
fn disposition(file_name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// The download of a stored file: its media type, `attachment`, no sniffing, its ETag, and
/// `cache` saying who may keep it.
fn download(file: &StoredFile, content: Option<Content>, cache: &'static str) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(etag) = HeaderValue::from_str(&etag_of(&file.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let Some(content) = content else {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.kind.media_type()),
    );
    headers.insert(header::CONTENT_DISPOSITION, disposition(&file.file_name));
    if let Ok(length) = HeaderValue::from_str(&file.size_bytes.to_string()) {
        headers.insert(header::CONTENT_LENGTH, length);
    }
    (headers, Body::from_stream(content)).into_response()
}

/// Downloads one version of a tender document: without a token once its tender is published;
/// a draft's only by its buyer's users. Sent as stored (`Content-Disposition: attachment`,
/// `X-Content-Type-Options: nosniff`), with the sha256 as ETag; `If-None-Match` with it
/// answers 304.
#[utoipa::path(
    get,
    path = "/documents/{id}/content",
    tag = "documents",
    security((), ("bearer" = [])),
    params(("id" = Uuid, Path, description = "The document version's id."), IfNoneMatch),
    responses(
        FileDownloadResponses,
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn download_document(
    State(state): State<AppState>,
    MaybeAuthUser(actor): MaybeAuthUser,
    PathParams(id): PathParams<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = DocumentId::from_uuid(id);
    let document = service::documents::describe(&state.ctx, actor.as_ref(), id).await?;
    if not_modified(&headers, &document.file.sha256) {
        return Ok(download(&document.file, None, "no-cache"));
    }
    let content = service::documents::bytes(&state.ctx, &document.file).await?;
    Ok(download(&document.file, Some(content), "no-cache"))
}

/// A file attached to a bid.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = BidAttachment)]
pub struct AttachmentResponse {
    /// The attachment's id.
    pub id: Uuid,
    /// The bid.
    pub bid_id: Uuid,
    /// What it is.
    pub title: String,
    #[serde(flatten)]
    pub file: FileFacts,
    /// The bid version that first carried it.
    pub added_in_version: i32,
    /// The first bid version without it, once deleted.
    pub removed_in_version: Option<i32>,
    /// When it was attached, by the database clock.
    pub added_at: DateTime<Utc>,
    /// Where its bytes are downloaded (by those who may read the bid).
    pub content_url: String,
}

impl From<&Attachment> for AttachmentResponse {
    fn from(a: &Attachment) -> Self {
        Self {
            id: a.id.as_uuid(),
            bid_id: a.bid_id.as_uuid(),
            title: a.title.clone(),
            file: (&a.file).into(),
            added_in_version: a.added_in_version,
            removed_in_version: a.removed_in_version,
            added_at: a.added_at,
            content_url: format!(
                "/api/v1/tenders/{}/bids/{}/attachments/{}/content",
                a.tender_id, a.bid_id, a.id
            ),
        }
    }
}

/// A bid's current attachments.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    /// Oldest first.
    pub items: Vec<AttachmentResponse>,
}

/// An attachment's address.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AttachmentPath {
    /// The tender's id.
    pub id: Uuid,
    /// The bid's id.
    pub bid_id: Uuid,
    /// The attachment's id.
    pub attachment_id: Uuid,
}

/// Attaches a file to the signed-in supplier's bid before the submission deadline (by the
/// database clock; after it 409 `deadline-passed`): a new version of the bid. Sealed exactly
/// like the bid. At most 25 MiB a file, 20 files and 100 MiB a bid.
#[utoipa::path(
    post,
    path = "/tenders/{id}/bids/{bid_id}/attachments",
    tag = "bids",
    security(("bearer" = [])),
    params(crate::extract::BidPath),
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The attachment, stored; the bid has a new version.", body = AttachmentResponse,
            headers(("Location" = String, description = "Where its bytes are downloaded."))),
        crate::error::AccessProblems,
        (status = 409, response = DeadlinePassed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
pub async fn upload_bid_attachment(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(crate::extract::BidPath { id, bid_id }): PathParams<crate::extract::BidPath>,
    form: Result<UploadForm, ApiError>,
) -> Result<Created<AttachmentResponse>, ApiError> {
    let UploadForm { upload, fields } = form?;
    let title = fields.get("title").cloned().unwrap_or_default();
    let attachment = service::documents::attach(
        &state.ctx,
        &actor,
        (TenderId::from_uuid(id), BidId::from_uuid(bid_id)),
        &title,
        upload,
    )
    .await?;
    let shown = AttachmentResponse::from(&attachment);
    let location = shown.content_url.clone();
    created(&location, shown)
}

/// The bid's current attachments, to those who may read the bid: before the deadline only its
/// supplier; afterwards the buyer's lead and cleared evaluators; the regulator and admins after
/// award; 404 to everyone else.
#[utoipa::path(
    get,
    path = "/tenders/{id}/bids/{bid_id}/attachments",
    tag = "bids",
    security(("bearer" = [])),
    params(crate::extract::BidPath),
    responses(
        (status = 200, description = "The attachments.", body = AttachmentList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn list_bid_attachments(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(crate::extract::BidPath { id, bid_id }): PathParams<crate::extract::BidPath>,
) -> Result<Json<AttachmentList>, ApiError> {
    let attachments = service::documents::attachments(
        &state.ctx,
        &actor,
        (TenderId::from_uuid(id), BidId::from_uuid(bid_id)),
    )
    .await?;
    Ok(Json(AttachmentList {
        items: attachments.iter().map(Into::into).collect(),
    }))
}

/// Downloads an attachment (an earlier version's too) for those who may read the bid; 404 to
/// everyone else. Never cached by a shared cache.
#[utoipa::path(
    get,
    path = "/tenders/{id}/bids/{bid_id}/attachments/{attachment_id}/content",
    tag = "bids",
    security(("bearer" = [])),
    params(AttachmentPath, IfNoneMatch),
    responses(
        FileDownloadResponses,
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn download_bid_attachment(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(path): PathParams<AttachmentPath>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let place = (TenderId::from_uuid(path.id), BidId::from_uuid(path.bid_id));
    let id = AttachmentId::from_uuid(path.attachment_id);
    let attachment = service::documents::attachment(&state.ctx, &actor, place, id).await?;
    if not_modified(&headers, &attachment.file.sha256) {
        return Ok(download(&attachment.file, None, "no-store"));
    }
    let content = service::documents::bytes(&state.ctx, &attachment.file).await?;
    Ok(download(&attachment.file, Some(content), "no-store"))
}

/// Deletes an attachment from the signed-in supplier's bid before the deadline: a new version
/// of the bid without it (earlier versions keep it).
#[utoipa::path(
    delete,
    path = "/tenders/{id}/bids/{bid_id}/attachments/{attachment_id}",
    tag = "bids",
    security(("bearer" = [])),
    params(AttachmentPath),
    responses(
        (status = 204, description = "Deleted from the bid's new version."),
        crate::error::AccessProblems,
        (status = 409, response = DeadlinePassed),
    )
)]
pub async fn delete_bid_attachment(
    State(state): State<AppState>,
    AuthUser(actor): AuthUser,
    PathParams(path): PathParams<AttachmentPath>,
) -> Result<StatusCode, ApiError> {
    service::documents::detach(
        &state.ctx,
        &actor,
        (TenderId::from_uuid(path.id), BidId::from_uuid(path.bid_id)),
        AttachmentId::from_uuid(path.attachment_id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
