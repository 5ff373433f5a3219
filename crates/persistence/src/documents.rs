//! The rows that name stored files: a tender's documents (versioned series) and a bid's
//! attachments (each added in one bid version and removed in a later one). Who may read or
//! change them is decided before these are called; the bytes are in [`crate::objects`].

use crate::StoreError;
use crate::entities::{bid_attachments, tender_documents};
use chrono::{DateTime, Utc};
use domain::document::{DocumentType, FileKind};
use domain::ids::{AttachmentId, BidId, DocumentId, TenderId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

/// What is known of a stored file, whoever holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub file_name: String,
    pub kind: FileKind,
    pub size_bytes: i64,
    pub sha256: String,
}

fn kind_of(media_type: &str, id: uuid::Uuid) -> Result<FileKind, StoreError> {
    FileKind::from_media_type(media_type)
        .ok_or_else(|| StoreError::Corrupt(format!("file {id}: media type {media_type:?}")))
}

/// One version of a tender document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub id: DocumentId,
    pub tender_id: TenderId,
    /// The first version's id: every version of one document shares it.
    pub series_id: DocumentId,
    pub version: i32,
    pub replaces: Option<DocumentId>,
    pub title: String,
    pub document_type: DocumentType,
    pub file: StoredFile,
    pub uploaded_by: UserId,
    pub uploaded_at: DateTime<Utc>,
    /// When a newer version replaced it.
    pub superseded_at: Option<DateTime<Utc>>,
}

fn document(model: tender_documents::Model) -> Result<Document, StoreError> {
    Ok(Document {
        id: DocumentId::from_uuid(model.id),
        tender_id: TenderId::from_uuid(model.tender_id),
        series_id: DocumentId::from_uuid(model.series_id),
        version: model.version,
        replaces: model.replaces_id.map(DocumentId::from_uuid),
        document_type: model
            .document_type
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("document {}: type", model.id)))?,
        file: StoredFile {
            kind: kind_of(&model.media_type, model.id)?,
            file_name: model.file_name,
            size_bytes: model.size_bytes,
            sha256: model.sha256,
        },
        title: model.title,
        uploaded_by: UserId::from_uuid(model.uploaded_by),
        uploaded_at: model.uploaded_at,
        superseded_at: model.superseded_at,
    })
}

/// A document to store: a first version, or the next version of `replaces`.
#[derive(Debug, Clone)]
pub struct NewDocument<'a> {
    pub tender_id: TenderId,
    pub replaces: Option<&'a Document>,
    pub title: &'a str,
    pub document_type: DocumentType,
    pub file: &'a StoredFile,
    pub uploaded_by: UserId,
}

/// Stores a document version; a replacement supersedes the version it replaces. Two
/// replacements of one version racing each other: the second is refused as a conflict.
pub async fn insert(
    conn: &impl ConnectionTrait,
    new: NewDocument<'_>,
    now: DateTime<Utc>,
) -> Result<Document, StoreError> {
    let id = DocumentId::new();
    let (series, version) = match new.replaces {
        Some(old) => (old.series_id, old.version + 1),
        None => (id, 1),
    };
    if let Some(old) = new.replaces {
        tender_documents::Entity::update_many()
            .col_expr(tender_documents::Column::SupersededAt, Expr::value(now))
            .filter(tender_documents::Column::Id.eq(old.id.as_uuid()))
            .exec(conn)
            .await?;
    }
    let model = tender_documents::ActiveModel {
        id: Set(id.as_uuid()),
        tender_id: Set(new.tender_id.as_uuid()),
        series_id: Set(series.as_uuid()),
        version: Set(version),
        replaces_id: Set(new.replaces.map(|d| d.id.as_uuid())),
        title: Set(new.title.to_owned()),
        document_type: Set(new.document_type.as_str().to_owned()),
        file_name: Set(new.file.file_name.clone()),
        media_type: Set(new.file.kind.media_type().to_owned()),
        size_bytes: Set(new.file.size_bytes),
        sha256: Set(new.file.sha256.clone()),
        uploaded_by: Set(new.uploaded_by.as_uuid()),
        uploaded_at: Set(now),
        superseded_at: Set(None),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        StoreError::unique_as(
            e,
            "/replaces",
            "that version was replaced meanwhile: replace the newest version",
        )
    })?;
    document(model)
}

/// Every version of every document of the tender, by series then version.
pub async fn list(
    conn: &impl ConnectionTrait,
    tender: TenderId,
) -> Result<Vec<Document>, StoreError> {
    crate::all_as(
        conn,
        tender_documents::Entity::find()
            .filter(tender_documents::Column::TenderId.eq(tender.as_uuid()))
            .order_by_asc(tender_documents::Column::UploadedAt)
            .order_by_asc(tender_documents::Column::Version),
        document,
    )
    .await
}

pub async fn find(
    conn: &impl ConnectionTrait,
    id: DocumentId,
) -> Result<Option<Document>, StoreError> {
    crate::one_as(
        conn,
        tender_documents::Entity::find_by_id(id.as_uuid()),
        document,
    )
    .await
}

/// A file attached to a bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: AttachmentId,
    pub bid_id: BidId,
    pub tender_id: TenderId,
    pub title: String,
    pub file: StoredFile,
    /// The bid version that first carried it.
    pub added_in_version: i32,
    /// The first bid version without it, once deleted.
    pub removed_in_version: Option<i32>,
    pub added_by: UserId,
    pub added_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

impl Attachment {
    /// Whether bid version `version` carried it.
    pub fn in_version(&self, version: i32) -> bool {
        self.added_in_version <= version && self.removed_in_version.is_none_or(|r| version < r)
    }
}

fn attachment(model: bid_attachments::Model) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: AttachmentId::from_uuid(model.id),
        bid_id: BidId::from_uuid(model.bid_id),
        tender_id: TenderId::from_uuid(model.tender_id),
        file: StoredFile {
            kind: kind_of(&model.media_type, model.id)?,
            file_name: model.file_name,
            size_bytes: model.size_bytes,
            sha256: model.sha256,
        },
        title: model.title,
        added_in_version: model.added_in_version,
        removed_in_version: model.removed_in_version,
        added_by: UserId::from_uuid(model.added_by),
        added_at: model.added_at,
        removed_at: model.removed_at,
    })
}

/// Attaches a file to bid version `version` (the one the attachment makes).
pub async fn attach(
    conn: &impl ConnectionTrait,
    (tender, bid, version): (TenderId, BidId, i32),
    title: &str,
    file: &StoredFile,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Attachment, StoreError> {
    let model = bid_attachments::ActiveModel {
        id: Set(AttachmentId::new().as_uuid()),
        bid_id: Set(bid.as_uuid()),
        tender_id: Set(tender.as_uuid()),
        title: Set(title.to_owned()),
        file_name: Set(file.file_name.clone()),
        media_type: Set(file.kind.media_type().to_owned()),
        size_bytes: Set(file.size_bytes),
        sha256: Set(file.sha256.clone()),
        added_in_version: Set(version),
        removed_in_version: Set(None),
        added_by: Set(by.as_uuid()),
        added_at: Set(now),
        removed_at: Set(None),
    }
    .insert(conn)
    .await?;
    attachment(model)
}

/// Removes an attachment from bid version `version` on (it stays in the history).
pub async fn detach(
    conn: &impl ConnectionTrait,
    id: AttachmentId,
    version: i32,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    bid_attachments::Entity::update_many()
        .col_expr(
            bid_attachments::Column::RemovedInVersion,
            Expr::value(version),
        )
        .col_expr(bid_attachments::Column::RemovedAt, Expr::value(now))
        .filter(bid_attachments::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Every attachment the bid has had, current and removed, oldest first.
pub async fn attachments(
    conn: &impl ConnectionTrait,
    bid: BidId,
) -> Result<Vec<Attachment>, StoreError> {
    crate::all_as(
        conn,
        bid_attachments::Entity::find()
            .filter(bid_attachments::Column::BidId.eq(bid.as_uuid()))
            .order_by_asc(bid_attachments::Column::AddedAt)
            .order_by_asc(bid_attachments::Column::Id),
        attachment,
    )
    .await
}

/// Whether any document or attachment names the object `sha256`.
pub async fn object_in_use(conn: &impl ConnectionTrait, sha256: &str) -> Result<bool, StoreError> {
    let documents = tender_documents::Entity::find()
        .filter(tender_documents::Column::Sha256.eq(sha256))
        .count(conn)
        .await?;
    if documents > 0 {
        return Ok(true);
    }
    let attachments = bid_attachments::Entity::find()
        .filter(bid_attachments::Column::Sha256.eq(sha256))
        .count(conn)
        .await?;
    Ok(attachments > 0)
}
