//! Files on the pages: the tender page's documents (listed for whoever may see the tender, with
//! an upload form for its lead) and the bid page's attachments (the supplier's own, sealed like
//! the bid). Uploads are CSRF-checked multipart forms streamed to the service's spooler, and
//! downloads are sent as stored, through the same service functions as the API's.

use crate::WebState;
use crate::ui::{Ctx, FormState, Problem, csrf_field, done, problems_of, table, when};
use axum::Router;
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::document::{DocumentType, FILE_MAX_BYTES};
use domain::ids::{AttachmentId, BidId, DocumentId, TenderId};
use maud::{Markup, html};
use persistence::documents::{Attachment, Document, StoredFile};
use service::ServiceError;
use service::documents::{Content, DocumentInput, Spooler, Upload};
use std::collections::HashMap;

pub fn routes() -> Router<WebState> {
    Router::new()
        .route(
            "/tenders/{id}/documents",
            post(upload_document).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/tenders/{id}/documents/{document_id}",
            get(download_document),
        )
        .route(
            "/tenders/{id}/bids/{bid_id}/attachments",
            post(upload_attachment).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/tenders/{id}/bids/{bid_id}/attachments/{attachment_id}",
            get(download_attachment),
        )
        .route(
            "/tenders/{id}/bids/{bid_id}/attachments/{attachment_id}/delete",
            post(delete_attachment),
        )
}

/// An upload form's largest body: a file at its limit and the form's other fields.
const UPLOAD_LIMIT: usize = FILE_MAX_BYTES as usize + 64 * 1024;

/// A CSRF-checked multipart form: its short fields and its file, or why it could not be read
/// (the handler shows that on the page). A form whose token does not match is refused before
/// its file is read.
pub struct UploadPost {
    fields: HashMap<String, String>,
    upload: Result<Upload, ServiceError>,
}

fn unreadable(err: &MultipartError) -> ServiceError {
    if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        service::documents::too_large()
    } else {
        ServiceError::field("/file", "could not be read: choose the file again")
    }
}

impl FromRequest<WebState> for UploadPost {
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let mut multipart = Multipart::from_request(req, state)
            .await
            .map_err(|_| crate::ui::refused_form())?;
        let mut fields = HashMap::new();
        let mut upload = Err(ServiceError::field("/file", "choose a file"));
        let mut trusted = false;
        loop {
            let mut field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => {
                    upload = Err(unreadable(&e));
                    break;
                }
            };
            let name = field.name().unwrap_or_default().to_owned();
            if name == "file" {
                // The form's token comes first: nothing is spooled for a forged form.
                if !trusted {
                    return Err(crate::ui::refused_form());
                }
                let sent_name = field.file_name().unwrap_or_default().to_owned();
                if sent_name.is_empty() {
                    continue;
                }
                upload = async {
                    let mut spooler = Spooler::new().await?;
                    while let Some(chunk) = field.chunk().await.map_err(|e| unreadable(&e))? {
                        spooler.write(&chunk).await?;
                    }
                    spooler.finish(&sent_name, "/file").await
                }
                .await;
                if upload.is_err() {
                    break;
                }
            } else {
                let text = field.text().await.unwrap_or_default();
                if name == "csrf" {
                    trusted = crate::session::csrf_ok(&headers, &text);
                }
                fields.insert(name, text.chars().take(4096).collect());
            }
        }
        if !trusted {
            return Err(crate::ui::refused_form());
        }
        Ok(Self { fields, upload })
    }
}

impl UploadPost {
    fn get(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |v| v.trim())
    }
}

/// The download of a stored file, as the API sends it.
fn download(file: &StoredFile, content: Content) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.kind.media_type()),
    );
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", file.sha256)) {
        headers.insert(header::ETAG, etag);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    (headers, Body::from_stream(content)).into_response()
}

fn size(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{:.0} KB", (bytes as f64 / 1024.0).ceil())
    } else {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    }
}

fn document_type_label(kind: DocumentType) -> &'static str {
    match kind {
        DocumentType::BiddingDocuments => "Bidding documents",
        DocumentType::TechnicalSpecifications => "Specification",
        DocumentType::EvaluationCriteria => "Evaluation criteria",
        DocumentType::ContractDraft => "Draft contract terms",
        DocumentType::Clarifications => "Clarifications",
        DocumentType::Other => "Other",
    }
}

/// The tender page's documents: the current version of each, with a download link, and for
/// the lead (while documents may still be added) the upload form. `form` carries a failed
/// upload's problems.
pub async fn tender_section(
    ctx: &Ctx,
    tender: TenderId,
    may_add: bool,
    form: &FormState,
) -> Result<Markup, ServiceError> {
    let documents = service::documents::list(&ctx.state.ctx, Some(&ctx.actor), tender).await?;
    let current: Vec<&Document> = documents
        .iter()
        .filter(|d| d.superseded_at.is_none())
        .collect();
    let error = |field: &str| {
        form.problems
            .iter()
            .find(|p| p.field.as_deref() == Some(field))
            .map(|p| p.message.clone())
    };
    Ok(html! {
        h2 { "Documents" }
        @if current.is_empty() {
            p { "No documents yet." }
        } @else {
            (table("Tender documents", &["Document", "Kind", "File", "Version"], &[],
                current.iter().map(|d| vec![
                    html! { a href=(format!("/tenders/{tender}/documents/{}", d.id)) { (d.title) } },
                    html! { (document_type_label(d.document_type)) },
                    html! { (d.file.file_name) " (" (size(d.file.size_bytes)) ")" },
                    html! { (d.version) ", " (when(d.uploaded_at)) },
                ]).collect()))
        }
        @if may_add {
            form method="post" action=(format!("/tenders/{tender}/documents")) enctype="multipart/form-data" novalidate {
                (csrf_field(&ctx.csrf))
                div class=(if error("title").is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                    label class="nhsuk-label" for="title" { "Document title" }
                    @if let Some(message) = error("title") { span class="nhsuk-error-message" id="title-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (message) } }
                    input class="nhsuk-input" id="title" name="title" type="text";
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="document_type" { "Kind of document" }
                    select class="nhsuk-select" id="document_type" name="document_type" {
                        @for kind in DocumentType::ALL {
                            option value=(kind.as_str()) { (document_type_label(kind)) }
                        }
                    }
                }
                @if !current.is_empty() {
                    div class="nhsuk-form-group" {
                        label class="nhsuk-label" for="replaces" { "A new version of (optional)" }
                        select class="nhsuk-select" id="replaces" name="replaces" {
                            option value="" { "None: a new document" }
                            @for d in &current {
                                option value=(d.id) { (d.title) " (version " (d.version) ")" }
                            }
                        }
                    }
                }
                div class=(if error("file").is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }) {
                    label class="nhsuk-label" for="file" { "File" }
                    div class="nhsuk-hint" id="file-hint" { "PDF, Word, Excel, PowerPoint, OpenDocument, CSV, text, PNG or JPEG; at most 25 MB. On a published tender this is an amendment: every bidder is told." }
                    @if let Some(message) = error("file") { span class="nhsuk-error-message" id="file-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (message) } }
                    input class="nhsuk-file-upload" id="file" name="file" type="file" aria-describedby="file-hint";
                }
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Upload the document" }
            }
        }
    })
}

/// Problems of a failed upload, with anything that is not a field's shown against the file.
fn upload_problems(error: &ServiceError) -> Vec<Problem> {
    let mut problems = problems_of(error);
    for problem in &mut problems {
        if problem.field.is_none() {
            problem.field = Some("file".to_owned());
        }
    }
    problems
}

async fn upload_document(ctx: Ctx, Path(id): Path<String>, posted: UploadPost) -> Response {
    let result = async {
        let uuid = crate::ui::parse_id(&id)?;
        let replaces = match posted.get("replaces") {
            "" => None,
            text => Some(DocumentId::from_uuid(text.parse().map_err(|_| {
                ServiceError::field("/replaces", "choose one of the tender's documents")
            })?)),
        };
        let input = DocumentInput {
            title: posted.get("title").to_owned(),
            document_type: posted.get("document_type").to_owned(),
            replaces,
        };
        let UploadPost { upload, .. } = posted;
        service::documents::add(
            &ctx.state.ctx,
            &ctx.actor,
            TenderId::from_uuid(uuid),
            &input,
            upload?,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/tenders/{id}"), "uploaded"),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => {
            let status = crate::ui::status_of(&error);
            crate::tenders::tender_view(&ctx, &id, None, upload_problems(&error), Some(status))
                .await
        }
    }
}

async fn download_document(ctx: Ctx, Path((id, document)): Path<(String, String)>) -> Response {
    let result = async {
        let tender = TenderId::from_uuid(crate::ui::parse_id(&id)?);
        let document = DocumentId::from_uuid(crate::ui::parse_id(&document)?);
        let found =
            service::documents::describe(&ctx.state.ctx, Some(&ctx.actor), document).await?;
        if found.tender_id != tender {
            return Err(ServiceError::NotFound("No such document.".to_owned()));
        }
        let content = service::documents::bytes(&ctx.state.ctx, &found.file).await?;
        Ok(download(&found.file, content))
    }
    .await;
    result.unwrap_or_else(|error| ctx.error(error))
}

/// The bid page's attachments: the files the bid carries, each with a download link and (while
/// bids are open) a delete button, and the form that adds one.
pub fn bid_section(
    ctx: &Ctx,
    tender: TenderId,
    bid: BidId,
    attachments: &[Attachment],
    open: bool,
) -> Markup {
    let current: Vec<&Attachment> = attachments
        .iter()
        .filter(|a| a.removed_in_version.is_none())
        .collect();
    let base = format!("/tenders/{tender}/bids/{bid}/attachments");
    html! {
        h2 { "Attachments" }
        p { "Sealed with your bid: nobody but your organisation sees them before the deadline." }
        @if current.is_empty() {
            p { "No files attached." }
        } @else {
            (table("Files attached to your bid", &["File", "Size", "Attached"], &[],
                current.iter().map(|a| vec![
                    html! {
                        a href=(format!("{base}/{}", a.id)) { (a.title) } " (" (a.file.file_name) ")"
                        @if open {
                            form method="post" action=(format!("{base}/{}/delete", a.id)) class="mkt-inline-forms" {
                                (csrf_field(&ctx.csrf))
                                button class="nhsuk-button nhsuk-button--warning nhsuk-u-margin-bottom-0" type="submit" { "Delete" span class="nhsuk-u-visually-hidden" { " " (a.title) } }
                            }
                        }
                    },
                    html! { (size(a.file.size_bytes)) },
                    html! { "Version " (a.added_in_version) ", " (when(a.added_at)) },
                ]).collect()))
        }
        @if open {
            form method="post" action=(base) enctype="multipart/form-data" novalidate {
                (csrf_field(&ctx.csrf))
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="attachment-title" { "What the file is" }
                    input class="nhsuk-input" id="attachment-title" name="title" type="text";
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="attachment-file" { "File" }
                    div class="nhsuk-hint" id="attachment-file-hint" { "At most 25 MB a file, 20 files and 100 MB a bid. Each change makes a new version of your bid." }
                    input class="nhsuk-file-upload" id="attachment-file" name="file" type="file" aria-describedby="attachment-file-hint";
                }
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Attach the file" }
            }
        }
    }
}

fn bid_place(id: &str, bid: &str) -> Result<(TenderId, BidId), ServiceError> {
    Ok((
        TenderId::from_uuid(crate::ui::parse_id(id)?),
        BidId::from_uuid(crate::ui::parse_id(bid)?),
    ))
}

async fn upload_attachment(
    ctx: Ctx,
    Path((id, bid)): Path<(String, String)>,
    posted: UploadPost,
) -> Response {
    let result = async {
        let place = bid_place(&id, &bid)?;
        let title = posted.get("title").to_owned();
        let UploadPost { upload, .. } = posted;
        service::documents::attach(&ctx.state.ctx, &ctx.actor, place, &title, upload?).await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/tenders/{id}/bid"), "attached"),
        Err(error) if error.refuses_access() => ctx.error(error),
        Err(error) => crate::bids::bid_page_with(&ctx, &id, upload_problems(&error)).await,
    }
}

async fn download_attachment(
    ctx: Ctx,
    Path((id, bid, attachment)): Path<(String, String, String)>,
) -> Response {
    let result = async {
        let place = bid_place(&id, &bid)?;
        let attachment = AttachmentId::from_uuid(crate::ui::parse_id(&attachment)?);
        let found =
            service::documents::attachment(&ctx.state.ctx, &ctx.actor, place, attachment).await?;
        let content = service::documents::bytes(&ctx.state.ctx, &found.file).await?;
        Ok(download(&found.file, content))
    }
    .await;
    result.unwrap_or_else(|error| ctx.error(error))
}

async fn delete_attachment(
    ctx: Ctx,
    Path((id, bid, attachment)): Path<(String, String, String)>,
    posted: crate::ui::Posted,
) -> Response {
    let _ = posted;
    let result = async {
        let place = bid_place(&id, &bid)?;
        let attachment = AttachmentId::from_uuid(crate::ui::parse_id(&attachment)?);
        service::documents::detach(&ctx.state.ctx, &ctx.actor, place, attachment).await
    }
    .await;
    match result {
        Ok(_) => done(&format!("/tenders/{id}/bid"), "detached"),
        Err(error) => ctx.error(error),
    }
}
