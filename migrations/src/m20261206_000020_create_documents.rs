//! Files: a tender's documents (each a version in a series: a replacement is the next version,
//! and the one it replaces is marked superseded) and a bid's attachments (each added in one
//! version of the bid and, when deleted, removed from the next, so that every version's files
//! can be told). The bytes live in object storage under their sha256; a row only names them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn text(column: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(column).string_len(len).not_null().to_owned()
}

fn uuid(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).uuid().not_null().to_owned()
}

fn instant(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TenderDocuments::Table)
                    .col(uuid(TenderDocuments::Id).primary_key())
                    .col(uuid(TenderDocuments::TenderId))
                    .col(uuid(TenderDocuments::SeriesId))
                    .col(
                        ColumnDef::new(TenderDocuments::Version)
                            .integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(TenderDocuments::ReplacesId).uuid().null())
                    .col(text(TenderDocuments::Title, 200))
                    .col(text(TenderDocuments::DocumentType, 40))
                    .col(text(TenderDocuments::FileName, 160))
                    .col(text(TenderDocuments::MediaType, 100))
                    .col(
                        ColumnDef::new(TenderDocuments::SizeBytes)
                            .big_integer()
                            .not_null(),
                    )
                    .col(text(TenderDocuments::Sha256, 64))
                    .col(uuid(TenderDocuments::UploadedBy))
                    .col(instant(TenderDocuments::UploadedAt))
                    .col(
                        ColumnDef::new(TenderDocuments::SupersededAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tender_documents_tender")
                            .from(TenderDocuments::Table, TenderDocuments::TenderId)
                            .to(Tenders::Table, Tenders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_tender_documents_series_version")
                    .table(TenderDocuments::Table)
                    .col(TenderDocuments::SeriesId)
                    .col(TenderDocuments::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_tender_documents_tender")
                    .table(TenderDocuments::Table)
                    .col(TenderDocuments::TenderId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(BidAttachments::Table)
                    .col(uuid(BidAttachments::Id).primary_key())
                    .col(uuid(BidAttachments::BidId))
                    .col(uuid(BidAttachments::TenderId))
                    .col(text(BidAttachments::Title, 200))
                    .col(text(BidAttachments::FileName, 160))
                    .col(text(BidAttachments::MediaType, 100))
                    .col(
                        ColumnDef::new(BidAttachments::SizeBytes)
                            .big_integer()
                            .not_null(),
                    )
                    .col(text(BidAttachments::Sha256, 64))
                    .col(
                        ColumnDef::new(BidAttachments::AddedInVersion)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(BidAttachments::RemovedInVersion)
                            .integer()
                            .null(),
                    )
                    .col(uuid(BidAttachments::AddedBy))
                    .col(instant(BidAttachments::AddedAt))
                    .col(
                        ColumnDef::new(BidAttachments::RemovedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_bid_attachments_bid")
                            .from(BidAttachments::Table, BidAttachments::BidId)
                            .to(Bids::Table, Bids::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_bid_attachments_bid")
                    .table(BidAttachments::Table)
                    .col(BidAttachments::BidId)
                    .to_owned(),
            )
            .await?;
        // The object collector asks whether any row still names an object.
        for (name, table, column) in [
            (
                "ix_tender_documents_sha256",
                TenderDocuments::Table.into_iden(),
                TenderDocuments::Sha256.into_iden(),
            ),
            (
                "ix_bid_attachments_sha256",
                BidAttachments::Table.into_iden(),
                BidAttachments::Sha256.into_iden(),
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(BidAttachments::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(TenderDocuments::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum TenderDocuments {
    Table,
    Id,
    TenderId,
    SeriesId,
    Version,
    ReplacesId,
    Title,
    DocumentType,
    FileName,
    MediaType,
    SizeBytes,
    Sha256,
    UploadedBy,
    UploadedAt,
    SupersededAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BidAttachments {
    Table,
    Id,
    BidId,
    TenderId,
    Title,
    FileName,
    MediaType,
    SizeBytes,
    Sha256,
    AddedInVersion,
    RemovedInVersion,
    AddedBy,
    AddedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
enum Tenders {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Bids {
    Table,
    Id,
}
