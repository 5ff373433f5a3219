//! The Procurement Act 2023's first facts: a buyer's kind of contracting authority (which
//! decides its threshold), organisations' register identifiers, and whether a tender is above
//! threshold (fixed when it is published) with the urgency a buyer may state to shorten its
//! minimum periods.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Organisations::Table)
                    .add_column(
                        ColumnDef::new(Organisations::AuthorityType)
                            .string_len(20)
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        // Every buyer registered so far is a sub-central authority until an admin says otherwise.
        manager
            .exec_stmt(
                Query::update()
                    .table(Organisations::Table)
                    .value(Organisations::AuthorityType, "sub_central")
                    .and_where(Expr::col(Organisations::Kind).eq("buyer"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrganisationIdentifiers::Table)
                    .col(
                        ColumnDef::new(OrganisationIdentifiers::OrganisationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrganisationIdentifiers::Scheme)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OrganisationIdentifiers::Identifier)
                            .string_len(40)
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(OrganisationIdentifiers::OrganisationId)
                            .col(OrganisationIdentifiers::Scheme),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organisation_identifiers_organisation")
                            .from(
                                OrganisationIdentifiers::Table,
                                OrganisationIdentifiers::OrganisationId,
                            )
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // One register entry names one organisation.
        manager
            .create_index(
                Index::create()
                    .name("ux_organisation_identifiers_entry")
                    .table(OrganisationIdentifiers::Table)
                    .col(OrganisationIdentifiers::Scheme)
                    .col(OrganisationIdentifiers::Identifier)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tenders::Table)
                    .add_column(
                        ColumnDef::new(Tenders::AboveThreshold)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        // Tenders saved so far were every one a sub-central buyer's: judged against the
        // sub-central threshold in force (£207,720 including VAT, in pence).
        manager
            .exec_stmt(
                Query::update()
                    .table(Tenders::Table)
                    .value(Tenders::AboveThreshold, true)
                    .and_where(Expr::col(Tenders::EstimatedValuePence).gte(20_772_000_i64))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tenders::Table)
                    .add_column(ColumnDef::new(Tenders::UrgencyReason).text().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Tenders::UrgencyReason, Tenders::AboveThreshold] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Tenders::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(
                Table::drop()
                    .table(OrganisationIdentifiers::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Organisations::Table)
                    .drop_column(Organisations::AuthorityType)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Kind,
    AuthorityType,
}

#[derive(DeriveIden)]
enum OrganisationIdentifiers {
    Table,
    OrganisationId,
    Scheme,
    Identifier,
}

#[derive(DeriveIden)]
enum Tenders {
    Table,
    AboveThreshold,
    UrgencyReason,
    EstimatedValuePence,
}
