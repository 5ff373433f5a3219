//! Files: a tender's documents (the buyer's while it is a draft, public once it is published;
//! a change after publication is an amendment) and a bid's attachments (sealed exactly like the
//! bid). An upload is spooled to a local file while it is hashed, measured and sniffed, stored
//! under its sha256 before the transaction that names it, and only then recorded.

use crate::bids::{BidView, audit_value};
use crate::tenders::{TenderView, lead_command, record_amendment};
use crate::{Ctx, ServiceError};
use domain::access::Actor;
use domain::audit::AuditEntry;
use domain::bid::BidContent;
use domain::document::{
    ACCEPTED_KINDS, DocumentType, FILE_MAX_BYTES, Sniffer, check_bid_room, safe_file_name,
};
use domain::ids::{AttachmentId, BidId, DocumentId, TenderId};
use domain::tender::{Amendment, Deadlines, TenderStatus, check_before};
use domain::{DomainError, FieldError};
use persistence::documents::{Attachment, Document, NewDocument, StoredFile};
use persistence::tenders::Tender;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;

/// A local file deleted when dropped: an upload on its way to the store.
#[derive(Debug)]
struct TempFile(PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Receives an uploaded file chunk by chunk, writing it to a temporary file while hashing it,
/// counting it (refused past 25 MiB without reading further) and reading what kind it is.
#[derive(Debug)]
pub struct Spooler {
    temp: TempFile,
    file: tokio::fs::File,
    hasher: Sha256,
    sniffer: Sniffer,
}

fn spool_failed(e: std::io::Error) -> ServiceError {
    ServiceError::internal(persistence::StoreError::Io(format!(
        "spooling an upload: {e}"
    )))
}

/// What refuses a file too large.
pub fn too_large() -> ServiceError {
    ServiceError::TooLarge(format!(
        "A file may be at most {} MiB.",
        FILE_MAX_BYTES / 1024 / 1024
    ))
}

impl Spooler {
    pub async fn new() -> Result<Self, ServiceError> {
        let path =
            std::env::temp_dir().join(format!("marketplace-upload-{}", uuid::Uuid::new_v4()));
        let file = tokio::fs::File::create(&path).await.map_err(spool_failed)?;
        Ok(Self {
            temp: TempFile(path),
            file,
            hasher: Sha256::new(),
            sniffer: Sniffer::new(),
        })
    }

    /// Takes the next chunk; past the limit the upload is refused (413).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), ServiceError> {
        if self.sniffer.size() + chunk.len() as u64 > FILE_MAX_BYTES {
            return Err(too_large());
        }
        self.sniffer.feed(chunk);
        self.hasher.update(chunk);
        self.file.write_all(chunk).await.map_err(spool_failed)
    }

    /// The whole file, known by its content: refused unless it is one of the accepted kinds
    /// (415), or empty (422 at `pointer`). `sent_name` is the name the client gave.
    pub async fn finish(mut self, sent_name: &str, pointer: &str) -> Result<Upload, ServiceError> {
        self.file.flush().await.map_err(spool_failed)?;
        if self.sniffer.size() == 0 {
            return Err(ServiceError::field(
                pointer,
                "is empty: choose a file with content",
            ));
        }
        let kind = self.sniffer.kind(sent_name).ok_or_else(|| {
            ServiceError::UnsupportedType(format!(
                "The file is not one of the kinds accepted ({ACCEPTED_KINDS}): its content \
                 decides, whatever its name."
            ))
        })?;
        Ok(Upload {
            file: StoredFile {
                file_name: safe_file_name(sent_name, kind),
                kind,
                size_bytes: i64::try_from(self.sniffer.size()).unwrap_or(i64::MAX),
                sha256: hex::encode(self.hasher.finalize()),
            },
            temp: self.temp,
        })
    }
}

/// A received file, checked, waiting to be stored.
#[derive(Debug)]
pub struct Upload {
    temp: TempFile,
    pub file: StoredFile,
}

impl Upload {
    /// Writes the bytes to the store (before the transaction that names them).
    async fn store(&self, ctx: &Ctx) -> Result<(), ServiceError> {
        Ok(ctx
            .objects()
            .put_file(&self.temp.0, &self.file.sha256)
            .await?)
    }
}

pub use crate::files::Content;

/// What a buyer says of a document it uploads.
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    pub title: String,
    pub document_type: String,
    /// The document this is a new version of.
    pub replaces: Option<DocumentId>,
}

/// Whether `status` takes new documents, and how: a draft freely, a published tender before
/// its deadline as an amendment.
fn check_takes_documents(
    tender: &Tender,
    status: TenderStatus,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ServiceError> {
    match status {
        TenderStatus::Draft => Ok(()),
        TenderStatus::Published => {
            if tender.deadlines_apply() {
                check_before(tender.submission_deadline, now, "documents")?;
            }
            Ok(())
        }
        other => Err(ServiceError::conflict(format!(
            "a {other} tender takes no new documents: documents are added to a draft, or to a \
             published tender before its submission deadline"
        ))),
    }
}

/// Adds a document to the lead's tender, or a new version of one (`replaces`). On a published
/// tender this is an amendment: every bidder is told, live bids must be confirmed again, and
/// the tender notice is republished with the document.
pub async fn add(
    ctx: &Ctx,
    actor: &Actor,
    id: TenderId,
    input: &DocumentInput,
    upload: Upload,
) -> Result<(Document, Option<TenderView>), ServiceError> {
    domain::tender::require_tender_manager(actor)?;
    let title = domain::document::title(&input.title);
    let document_type = input.document_type.parse::<DocumentType>();
    let (title, document_type) = match (title, document_type) {
        (Ok(title), Ok(kind)) => (title, kind),
        (title, kind) => {
            let errors: Vec<FieldError> = [title.err(), kind.err()]
                .into_iter()
                .flatten()
                .flat_map(|e| match e {
                    DomainError::Validation(errors) => errors,
                    _ => Vec::new(),
                })
                .collect();
            return Err(ServiceError::Validation(errors));
        }
    };
    // Checked before the bytes are stored, so that nobody else can fill the store; checked
    // again under the lock.
    {
        let (tender, status, now) = crate::tenders::visible_now(ctx, actor, id).await?;
        tender
            .scope(status)
            .check_lead(actor, "add documents to this tender")?;
        check_takes_documents(&tender, status, now)?;
    }
    upload.store(ctx).await?;
    let (mut command, current, status) =
        lead_command(ctx, actor, id, "add documents to this tender").await?;
    check_takes_documents(&current, status, command.now())?;
    let replaces = match input.replaces {
        None => None,
        Some(old) => Some(
            persistence::documents::find(command.conn(), old)
                .await?
                .filter(|d| d.tender_id == current.id && d.superseded_at.is_none())
                .ok_or_else(|| {
                    ServiceError::field(
                        "/replaces",
                        "must be the newest version of one of this tender's documents",
                    )
                })?,
        ),
    };
    let document = persistence::documents::insert(
        command.conn(),
        NewDocument {
            tender_id: current.id,
            replaces: replaces.as_ref(),
            title: &title,
            document_type,
            file: &upload.file,
            uploaded_by: actor.user_id,
        },
        command.now(),
    )
    .await?;
    let action = if replaces.is_some() {
        "tender.document_replaced"
    } else {
        "tender.document_added"
    };
    command
        .audit(AuditEntry::by(actor, action, "tender", current.id).after(audit_document(&document)))
        .await?;
    let amended = if status == TenderStatus::Published {
        let note = match &replaces {
            Some(_) => format!(
                "Version {} of the document \u{201c}{}\u{201d} was published.",
                document.version, document.title
            ),
            None => format!("The document \u{201c}{}\u{201d} was added.", document.title),
        };
        let deadlines =
            Deadlines::new(current.clarification_deadline, current.submission_deadline)?;
        let amendment = Amendment::of_documents(note, &deadlines);
        let changes = json!({"document": {
            "id": document.id,
            "title": document.title,
            "document_type": document.document_type.as_str(),
            "version": document.version,
            "replaces": document.replaces,
        }});
        command.refresh_now().await?;
        Some(record_amendment(&command, actor, &current, status, &amendment, changes).await?)
    } else {
        None
    };
    command.commit().await?;
    Ok((document, amended))
}

/// What the audit log keeps of a document or an attachment: its description and its sha256,
/// never its bytes.
fn audit_document(d: &Document) -> serde_json::Value {
    json!({
        "id": d.id,
        "tender_id": d.tender_id,
        "title": d.title,
        "document_type": d.document_type.as_str(),
        "version": d.version,
        "replaces": d.replaces,
        "file_name": d.file.file_name,
        "media_type": d.file.kind.media_type(),
        "size_bytes": d.file.size_bytes,
        "sha256": d.file.sha256,
    })
}

/// The tender, if `actor` (or anyone, signed in or not, when `actor` is `None`) may read its
/// documents: everyone once it is published, only the buyer's own users while it is a draft.
async fn readable_tender(
    ctx: &Ctx,
    actor: Option<&Actor>,
    id: TenderId,
) -> Result<Tender, ServiceError> {
    let conn = ctx.db().conn();
    let now = ctx.now().await?;
    let tender = persistence::tenders::find(conn, id)
        .await?
        .ok_or(DomainError::NotFound("tender"))?;
    let status = tender.status_at(conn, now).await?;
    let readable = status != TenderStatus::Draft
        || actor.is_some_and(|a| {
            a.organisation_id == tender.buyer_id
                && domain::tender::can_view_tender(a, &tender.scope(status))
        });
    if readable {
        Ok(tender)
    } else {
        Err(DomainError::NotFound("tender").into())
    }
}

/// Every version of every document of the tender, oldest first.
pub async fn list(
    ctx: &Ctx,
    actor: Option<&Actor>,
    id: TenderId,
) -> Result<Vec<Document>, ServiceError> {
    let tender = readable_tender(ctx, actor, id).await?;
    Ok(persistence::documents::list(ctx.db().conn(), tender.id).await?)
}

/// The bytes of a stored file the caller was allowed to read (by [`describe`] or
/// [`attachment`]).
pub async fn bytes(ctx: &Ctx, file: &StoredFile) -> Result<Content, ServiceError> {
    Ok(ctx.objects().get(&file.sha256).await?)
}

/// One document version, if `actor` (or anyone, when the tender is published) may read it.
pub async fn describe(
    ctx: &Ctx,
    actor: Option<&Actor>,
    id: DocumentId,
) -> Result<Document, ServiceError> {
    let document = persistence::documents::find(ctx.db().conn(), id)
        .await?
        .ok_or(DomainError::NotFound("document"))?;
    readable_tender(ctx, actor, document.tender_id)
        .await
        .map_err(|_| ServiceError::from(DomainError::NotFound("document")))?;
    Ok(document)
}

fn audit_attachment(a: &Attachment) -> serde_json::Value {
    json!({
        "id": a.id,
        "bid_id": a.bid_id,
        "title": a.title,
        "file_name": a.file.file_name,
        "media_type": a.file.kind.media_type(),
        "size_bytes": a.file.size_bytes,
        "sha256": a.file.sha256,
        "added_in_version": a.added_in_version,
        "removed_in_version": a.removed_in_version,
    })
}

/// A new version of the bid with its content unchanged (its files are what changes), and its
/// receipt to the supplier.
async fn next_version(
    command: &persistence::Command,
    actor: &Actor,
    tender: &Tender,
    bid: &persistence::bids::Bid,
) -> Result<persistence::bids::Bid, ServiceError> {
    let content = BidContent {
        price_pence: bid.price_pence,
        responses: bid.responses.clone(),
    };
    let revised = persistence::bids::revise(
        command.conn(),
        bid,
        &content,
        bid.offer_id,
        actor.user_id,
        command.now(),
    )
    .await?;
    crate::bids::receipt(command, tender, &revised, "revised").await?;
    Ok(revised)
}

/// Attaches a file to the supplier's bid before the deadline: a new version of the bid that
/// carries it (every version is kept, and says which files it had).
pub async fn attach(
    ctx: &Ctx,
    actor: &Actor,
    (tender, bid): (TenderId, BidId),
    title: &str,
    upload: Upload,
) -> Result<Attachment, ServiceError> {
    crate::bids::require_bidder(actor)?;
    let title = domain::document::title(title)?;
    // Only the bid's own supplier may store anything for it: checked before the bytes are
    // stored, and again under the tender's lock.
    crate::bids::own_bid_now(ctx, actor, tender, bid).await?;
    upload.store(ctx).await?;
    let mut command = ctx.command().await?;
    let (tender, bid) =
        crate::bids::own_bid(&mut command, actor, tender, bid, "attachments").await?;
    bid.status.revise()?;
    let current: Vec<Attachment> = persistence::documents::attachments(command.conn(), bid.id)
        .await?
        .into_iter()
        .filter(|a| a.removed_in_version.is_none())
        .collect();
    let bytes: u64 = current
        .iter()
        .map(|a| u64::try_from(a.file.size_bytes).unwrap_or(0))
        .sum();
    check_bid_room(
        current.len(),
        bytes,
        u64::try_from(upload.file.size_bytes).unwrap_or(u64::MAX),
    )?;
    let revised = next_version(&command, actor, &tender, &bid).await?;
    let attachment = persistence::documents::attach(
        command.conn(),
        (tender.id, bid.id, revised.version),
        &title,
        &upload.file,
        actor.user_id,
        command.now(),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "bid.attachment_added", "bid", bid.id)
                .before(audit_value(&bid))
                .after(json!({
                    "bid": audit_value(&revised),
                    "attachment": audit_attachment(&attachment),
                })),
        )
        .await?;
    command.commit().await?;
    Ok(attachment)
}

/// Removes an attachment from the supplier's bid before the deadline: a new version without it
/// (the earlier versions keep it).
pub async fn detach(
    ctx: &Ctx,
    actor: &Actor,
    (tender, bid): (TenderId, BidId),
    id: AttachmentId,
) -> Result<BidView, ServiceError> {
    crate::bids::require_bidder(actor)?;
    let mut command = ctx.command().await?;
    let (tender, bid) = crate::bids::own_bid(&mut command, actor, tender, bid, "changes").await?;
    let attachment = persistence::documents::attachments(command.conn(), bid.id)
        .await?
        .into_iter()
        .find(|a| a.id == id && a.removed_in_version.is_none())
        .ok_or(DomainError::NotFound("attachment"))?;
    bid.status.revise()?;
    let revised = next_version(&command, actor, &tender, &bid).await?;
    persistence::documents::detach(
        command.conn(),
        attachment.id,
        revised.version,
        command.now(),
    )
    .await?;
    command
        .audit(
            AuditEntry::by(actor, "bid.attachment_deleted", "bid", bid.id)
                .before(audit_value(&bid))
                .after(json!({
                    "bid": audit_value(&revised),
                    "attachment": {"id": attachment.id, "sha256": attachment.file.sha256, "removed_in_version": revised.version},
                })),
        )
        .await?;
    command.commit().await?;
    crate::bids::get(ctx, actor, tender.id, revised.id).await
}

/// The bid's current attachments, if `actor` may read the bid (the sealing rule: before the
/// deadline only its supplier); 404 otherwise.
pub async fn attachments(
    ctx: &Ctx,
    actor: &Actor,
    (tender, bid): (TenderId, BidId),
) -> Result<Vec<Attachment>, ServiceError> {
    let bid = crate::bids::readable(ctx, actor, tender, bid).await?;
    Ok(persistence::documents::attachments(ctx.db().conn(), bid.id)
        .await?
        .into_iter()
        .filter(|a| a.removed_in_version.is_none())
        .collect())
}

/// One attachment of a bid `actor` may read (an earlier version's too); its bytes come from
/// [`bytes`].
pub async fn attachment(
    ctx: &Ctx,
    actor: &Actor,
    (tender, bid): (TenderId, BidId),
    id: AttachmentId,
) -> Result<Attachment, ServiceError> {
    let bid = crate::bids::readable(ctx, actor, tender, bid).await?;
    let attachment = persistence::documents::attachments(ctx.db().conn(), bid.id)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(DomainError::NotFound("attachment"))?;
    Ok(attachment)
}

/// Removes stored objects that no document or attachment names and that were written more
/// than `older_than` ago (an upload whose transaction failed); the number removed.
pub async fn collect_garbage(
    ctx: &Ctx,
    older_than: chrono::Duration,
) -> Result<usize, ServiceError> {
    let cutoff = ctx.now().await? - older_than;
    let mut removed = 0;
    for (sha256, written) in ctx.objects().list().await? {
        if written < cutoff
            && !persistence::documents::object_in_use(ctx.db().conn(), &sha256).await?
        {
            ctx.objects().delete(&sha256).await?;
            removed += 1;
        }
    }
    Ok(removed)
}
