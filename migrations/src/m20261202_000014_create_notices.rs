//! Public notices (Procurement Act 2023 UK2–UK12): immutable, each with the OCDS release it
//! publishes, chained per procurement; and the planned procurement notice a tender may name to
//! shorten its tendering period.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Notices::Table)
                    .col(ColumnDef::new(Notices::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Notices::NoticeType).string_len(4).not_null())
                    .col(ColumnDef::new(Notices::BuyerId).uuid().not_null())
                    .col(ColumnDef::new(Notices::TenderId).uuid().null())
                    .col(ColumnDef::new(Notices::ContractId).uuid().null())
                    // Its place in its procurement's chain of notices (1 for the first), and the
                    // notice before it.
                    .col(ColumnDef::new(Notices::Sequence).integer().not_null())
                    .col(ColumnDef::new(Notices::PreviousId).uuid().null())
                    .col(ColumnDef::new(Notices::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Notices::Description).text().not_null())
                    .col(
                        ColumnDef::new(Notices::CategoryCode)
                            .string_len(60)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Notices::Region).string_len(40).not_null())
                    .col(
                        ColumnDef::new(Notices::PublishedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Notices::PublishedBy).uuid().null())
                    // What the notice says beyond its common fields, as JSON, and the OCDS release
                    // it publishes, as JSON: both written once.
                    .col(ColumnDef::new(Notices::Details).text().not_null())
                    .col(ColumnDef::new(Notices::Release).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notices_buyer")
                            .from(Notices::Table, Notices::BuyerId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_notices_tender")
                            .from(Notices::Table, Notices::TenderId)
                            .to(Tenders::Table, Tenders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "ix_notices_published",
                vec![Notices::PublishedAt, Notices::Id],
            ),
            (
                "ix_notices_type",
                vec![Notices::NoticeType, Notices::PublishedAt],
            ),
            (
                "ix_notices_buyer",
                vec![Notices::BuyerId, Notices::PublishedAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Notices::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        // One place in a procurement's chain holds one notice.
        manager
            .create_index(
                Index::create()
                    .name("ux_notices_chain")
                    .table(Notices::Table)
                    .col(Notices::TenderId)
                    .col(Notices::Sequence)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tenders::Table)
                    .add_column(
                        ColumnDef::new(Tenders::PlannedProcurementNoticeId)
                            .uuid()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tenders::Table)
                    .drop_column(Tenders::PlannedProcurementNoticeId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(Notices::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Notices {
    Table,
    Id,
    NoticeType,
    BuyerId,
    TenderId,
    ContractId,
    Sequence,
    PreviousId,
    Title,
    Description,
    CategoryCode,
    Region,
    PublishedAt,
    PublishedBy,
    Details,
    Release,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Tenders {
    Table,
    Id,
    PlannedProcurementNoticeId,
}
