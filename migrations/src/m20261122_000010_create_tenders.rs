//! Tenders with their criteria, invitations and amendment history; clarification questions;
//! sealed bids with every version kept; and the notifications outbox.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .uuid()
        .not_null()
        .primary_key()
        .to_owned()
}

fn uuid(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).uuid().not_null().to_owned()
}

fn uuid_null(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).uuid().null().to_owned()
}

fn time(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn time_null(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .null()
        .to_owned()
}

fn string(column: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(column).string_len(len).not_null().to_owned()
}

fn text(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).text().not_null().to_owned()
}

fn text_null(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).text().null().to_owned()
}

fn int(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).integer().not_null().to_owned()
}

fn money(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).big_integer().not_null().to_owned()
}

fn fk(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden,
    columns: Vec<DynIden>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(name).table(table);
    for column in columns {
        index.col(column);
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tenders::Table)
                    .col(id(Tenders::Id))
                    .col(uuid(Tenders::BuyerId))
                    .col(string(Tenders::Title, 200))
                    .col(text(Tenders::Description))
                    .col(string(Tenders::CategoryCode, 60))
                    .col(string(Tenders::Region, 40))
                    .col(money(Tenders::EstimatedValuePence))
                    .col(
                        ColumnDef::new(Tenders::BudgetCeilingPence)
                            .big_integer()
                            .null(),
                    )
                    .col(int(Tenders::ContractTermMonths))
                    .col(string(Tenders::Procedure, 20))
                    .col(time(Tenders::ClarificationDeadline))
                    .col(time(Tenders::SubmissionDeadline))
                    .col(int(Tenders::StandstillDays))
                    // The stored state; a published tender past its deadline is read as closed
                    // (evaluation or unsuccessful) by the database clock before this catches up.
                    .col(string(Tenders::Status, 20))
                    .col(int(Tenders::Version))
                    .col(time(Tenders::CreatedAt))
                    .col(time(Tenders::UpdatedAt))
                    .col(time_null(Tenders::PublishedAt))
                    .col(time_null(Tenders::ClosedAt))
                    .col(time_null(Tenders::CancelledAt))
                    .col(text_null(Tenders::CancellationReason))
                    // The first read of the bids by the buyer after the deadline.
                    .col(time_null(Tenders::BidsOpenedAt))
                    .col(uuid_null(Tenders::BidsOpenedBy))
                    .foreign_key(&mut fk(
                        "fk_tenders_buyer",
                        (Tenders::Table, Tenders::BuyerId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_tenders_category",
                        (Tenders::Table, Tenders::CategoryCode),
                        (Categories::Table, Categories::Code),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_tenders_buyer",
            Tenders::Table,
            vec![Tenders::BuyerId.into_iden(), Tenders::CreatedAt.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "ix_tenders_status_deadline",
            Tenders::Table,
            vec![
                Tenders::Status.into_iden(),
                Tenders::SubmissionDeadline.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TenderCriteria::Table)
                    .col(id(TenderCriteria::Id))
                    .col(uuid(TenderCriteria::TenderId))
                    .col(int(TenderCriteria::Position))
                    .col(string(TenderCriteria::Name, 200))
                    .col(string(TenderCriteria::Kind, 20))
                    .col(int(TenderCriteria::Weight))
                    .foreign_key(&mut fk(
                        "fk_tender_criteria_tender",
                        (TenderCriteria::Table, TenderCriteria::TenderId),
                        (Tenders::Table, Tenders::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_tender_criteria_position",
            TenderCriteria::Table,
            vec![
                TenderCriteria::TenderId.into_iden(),
                TenderCriteria::Position.into_iden(),
            ],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TenderInvitations::Table)
                    .col(uuid(TenderInvitations::TenderId))
                    .col(uuid(TenderInvitations::SupplierId))
                    .primary_key(
                        Index::create()
                            .col(TenderInvitations::TenderId)
                            .col(TenderInvitations::SupplierId),
                    )
                    .foreign_key(&mut fk(
                        "fk_tender_invitations_tender",
                        (TenderInvitations::Table, TenderInvitations::TenderId),
                        (Tenders::Table, Tenders::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_tender_invitations_supplier",
                        (TenderInvitations::Table, TenderInvitations::SupplierId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_tender_invitations_supplier",
            TenderInvitations::Table,
            vec![TenderInvitations::SupplierId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(TenderAmendments::Table)
                    .col(id(TenderAmendments::Id))
                    .col(uuid(TenderAmendments::TenderId))
                    .col(int(TenderAmendments::Number))
                    .col(text(TenderAmendments::Note))
                    .col(text_null(TenderAmendments::DescriptionBefore))
                    .col(text_null(TenderAmendments::DescriptionAfter))
                    .col(time(TenderAmendments::ClarificationDeadlineBefore))
                    .col(time(TenderAmendments::ClarificationDeadlineAfter))
                    .col(time(TenderAmendments::SubmissionDeadlineBefore))
                    .col(time(TenderAmendments::SubmissionDeadlineAfter))
                    .col(int(TenderAmendments::BidsReopened))
                    .col(uuid(TenderAmendments::AmendedBy))
                    .col(time(TenderAmendments::AmendedAt))
                    .foreign_key(&mut fk(
                        "fk_tender_amendments_tender",
                        (TenderAmendments::Table, TenderAmendments::TenderId),
                        (Tenders::Table, Tenders::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_tender_amendments_number",
            TenderAmendments::Table,
            vec![
                TenderAmendments::TenderId.into_iden(),
                TenderAmendments::Number.into_iden(),
            ],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Clarifications::Table)
                    .col(id(Clarifications::Id))
                    .col(uuid(Clarifications::TenderId))
                    .col(uuid(Clarifications::AskedByOrganisationId))
                    .col(uuid(Clarifications::AskedByUserId))
                    .col(text(Clarifications::Question))
                    .col(time(Clarifications::AskedAt))
                    .col(text_null(Clarifications::Answer))
                    .col(uuid_null(Clarifications::AnsweredBy))
                    .col(time_null(Clarifications::AnsweredAt))
                    .foreign_key(&mut fk(
                        "fk_clarifications_tender",
                        (Clarifications::Table, Clarifications::TenderId),
                        (Tenders::Table, Tenders::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_clarifications_asker",
                        (Clarifications::Table, Clarifications::AskedByOrganisationId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_clarifications_tender",
            Clarifications::Table,
            vec![
                Clarifications::TenderId.into_iden(),
                Clarifications::AskedAt.into_iden(),
            ],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Bids::Table)
                    .col(id(Bids::Id))
                    .col(uuid(Bids::TenderId))
                    .col(uuid(Bids::SupplierId))
                    .col(string(Bids::Status, 20))
                    .col(money(Bids::PricePence))
                    .col(uuid_null(Bids::OfferId))
                    // The responses as JSON: [{criterion_id, text}] in the criteria's order.
                    .col(text(Bids::Responses))
                    .col(int(Bids::Version))
                    .col(time(Bids::FirstSubmittedAt))
                    // When the version in force was submitted, by the database clock.
                    .col(time(Bids::SubmittedAt))
                    .col(time_null(Bids::ConfirmedAt))
                    .col(time_null(Bids::WithdrawnAt))
                    .foreign_key(&mut fk(
                        "fk_bids_tender",
                        (Bids::Table, Bids::TenderId),
                        (Tenders::Table, Tenders::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_bids_supplier",
                        (Bids::Table, Bids::SupplierId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_bids_offer",
                        (Bids::Table, Bids::OfferId),
                        (Offers::Table, Offers::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_bids_tender_status",
            Bids::Table,
            vec![Bids::TenderId.into_iden(), Bids::Status.into_iden()],
            false,
        )
        .await?;
        // One live bid per supplier per tender, whatever the application does.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_bids_live ON bids (tender_id, supplier_id) \
                 WHERE status <> 'withdrawn'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BidVersions::Table)
                    .col(id(BidVersions::Id))
                    .col(uuid(BidVersions::BidId))
                    .col(int(BidVersions::Version))
                    .col(money(BidVersions::PricePence))
                    .col(uuid_null(BidVersions::OfferId))
                    .col(text(BidVersions::Responses))
                    .col(uuid(BidVersions::SubmittedBy))
                    .col(time(BidVersions::SubmittedAt))
                    .foreign_key(&mut fk(
                        "fk_bid_versions_bid",
                        (BidVersions::Table, BidVersions::BidId),
                        (Bids::Table, Bids::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_bid_versions_number",
            BidVersions::Table,
            vec![
                BidVersions::BidId.into_iden(),
                BidVersions::Version.into_iden(),
            ],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Notifications::Table)
                    .col(id(Notifications::Id))
                    .col(uuid(Notifications::OrganisationId))
                    .col(string(Notifications::Kind, 40))
                    .col(uuid_null(Notifications::TenderId))
                    .col(string(Notifications::Subject, 300))
                    .col(text(Notifications::Body))
                    .col(time(Notifications::CreatedAt))
                    .col(time_null(Notifications::ReadAt))
                    .col(uuid_null(Notifications::ReadBy))
                    // The outbox: a webhook sender delivers rows with no delivery time and sets it.
                    .col(time_null(Notifications::DeliveredAt))
                    .foreign_key(&mut fk(
                        "fk_notifications_organisation",
                        (Notifications::Table, Notifications::OrganisationId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_notifications_organisation",
            Notifications::Table,
            vec![
                Notifications::OrganisationId.into_iden(),
                Notifications::CreatedAt.into_iden(),
            ],
            false,
        )
        .await?;
        index(
            manager,
            "ix_notifications_undelivered",
            Notifications::Table,
            vec![
                Notifications::DeliveredAt.into_iden(),
                Notifications::CreatedAt.into_iden(),
            ],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Notifications::Table.into_iden(),
            BidVersions::Table.into_iden(),
            Bids::Table.into_iden(),
            Clarifications::Table.into_iden(),
            TenderAmendments::Table.into_iden(),
            TenderInvitations::Table.into_iden(),
            TenderCriteria::Table.into_iden(),
            Tenders::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Tenders {
    Table,
    Id,
    BuyerId,
    Title,
    Description,
    CategoryCode,
    Region,
    EstimatedValuePence,
    BudgetCeilingPence,
    ContractTermMonths,
    Procedure,
    ClarificationDeadline,
    SubmissionDeadline,
    StandstillDays,
    Status,
    Version,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
    ClosedAt,
    CancelledAt,
    CancellationReason,
    BidsOpenedAt,
    BidsOpenedBy,
}

#[derive(DeriveIden)]
enum TenderCriteria {
    Table,
    Id,
    TenderId,
    Position,
    Name,
    Kind,
    Weight,
}

#[derive(DeriveIden)]
enum TenderInvitations {
    Table,
    TenderId,
    SupplierId,
}

#[derive(DeriveIden)]
enum TenderAmendments {
    Table,
    Id,
    TenderId,
    Number,
    Note,
    DescriptionBefore,
    DescriptionAfter,
    ClarificationDeadlineBefore,
    ClarificationDeadlineAfter,
    SubmissionDeadlineBefore,
    SubmissionDeadlineAfter,
    BidsReopened,
    AmendedBy,
    AmendedAt,
}

#[derive(DeriveIden)]
enum Clarifications {
    Table,
    Id,
    TenderId,
    AskedByOrganisationId,
    AskedByUserId,
    Question,
    AskedAt,
    Answer,
    AnsweredBy,
    AnsweredAt,
}

#[derive(DeriveIden)]
enum Bids {
    Table,
    Id,
    TenderId,
    SupplierId,
    Status,
    PricePence,
    OfferId,
    Responses,
    Version,
    FirstSubmittedAt,
    SubmittedAt,
    ConfirmedAt,
    WithdrawnAt,
}

#[derive(DeriveIden)]
enum BidVersions {
    Table,
    Id,
    BidId,
    Version,
    PricePence,
    OfferId,
    Responses,
    SubmittedBy,
    SubmittedAt,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
    OrganisationId,
    Kind,
    TenderId,
    Subject,
    Body,
    CreatedAt,
    ReadAt,
    ReadBy,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
}
