//! Call-offs under a framework (Procurement Act 2023 s.45–46): a buyer's direct award from the
//! framework's catalogue, whose search is saved and its results frozen as a shortlist, or a
//! competitive selection run as a tender among the framework's suppliers; and the framework
//! and call-off a contract was made under. A framework's tender has many call-off contracts,
//! so the one-contract-per-tender (or lot) guards leave call-offs to their own guard.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const GUARDS_BEFORE: [&str; 2] = [
    "CREATE UNIQUE INDEX ux_contracts_tender ON contracts (tender_id) WHERE lot_id IS NULL",
    "CREATE UNIQUE INDEX ux_contracts_lot ON contracts (lot_id) WHERE lot_id IS NOT NULL",
];

const GUARDS_AFTER: [&str; 3] = [
    "CREATE UNIQUE INDEX ux_contracts_tender ON contracts (tender_id) \
     WHERE lot_id IS NULL AND call_off_id IS NULL",
    "CREATE UNIQUE INDEX ux_contracts_lot ON contracts (lot_id) \
     WHERE lot_id IS NOT NULL AND call_off_id IS NULL",
    "CREATE UNIQUE INDEX ux_contracts_call_off ON contracts (call_off_id) \
     WHERE call_off_id IS NOT NULL",
];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

async fn drop_indexes(manager: &SchemaManager<'_>, names: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for name in names {
        db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
            .await?;
    }
    Ok(())
}

fn uuid(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).uuid().not_null().to_owned()
}

fn optional(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).uuid().null().to_owned()
}

async fn add(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    column: ColumnDef,
) -> Result<(), DbErr> {
    let mut column = column;
    manager
        .alter_table(
            Table::alter()
                .table(table)
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

async fn drop(
    manager: &SchemaManager<'_>,
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
) -> Result<(), DbErr> {
    manager
        .alter_table(Table::alter().table(table).drop_column(column).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too: guards are dropped and created again by name (see
    /// migration 16).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(CallOffs::Table)
                    .col(uuid(CallOffs::Id).primary_key())
                    .col(uuid(CallOffs::FrameworkId))
                    .col(optional(CallOffs::LotId))
                    .col(uuid(CallOffs::BuyerId))
                    .col(ColumnDef::new(CallOffs::Method).string_len(30).not_null())
                    .col(ColumnDef::new(CallOffs::Title).string_len(200).not_null())
                    .col(ColumnDef::new(CallOffs::Status).string_len(20).not_null())
                    .col(ColumnDef::new(CallOffs::Search).text().null())
                    .col(ColumnDef::new(CallOffs::Volumes).text().null())
                    .col(ColumnDef::new(CallOffs::TermMonths).integer().not_null())
                    .col(optional(CallOffs::TenderId))
                    .col(optional(CallOffs::OfferId))
                    .col(ColumnDef::new(CallOffs::Justification).text().null())
                    .col(optional(CallOffs::ContractId))
                    .col(ColumnDef::new(CallOffs::CancelReason).text().null())
                    .col(uuid(CallOffs::CreatedBy))
                    .col(
                        ColumnDef::new(CallOffs::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CallOffs::DecidedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_call_offs_framework")
                            .from(CallOffs::Table, CallOffs::FrameworkId)
                            .to(Frameworks::Table, Frameworks::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_call_offs_buyer")
                            .from(CallOffs::Table, CallOffs::BuyerId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_call_offs_framework", CallOffs::FrameworkId),
            ("ix_call_offs_buyer", CallOffs::BuyerId),
            ("ix_call_offs_tender", CallOffs::TenderId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(CallOffs::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        // The frozen shortlist: every matching framework offer as it was when the search was
        // saved, never changed afterwards.
        manager
            .create_table(
                Table::create()
                    .table(CallOffShortlist::Table)
                    .col(uuid(CallOffShortlist::CallOffId))
                    .col(
                        ColumnDef::new(CallOffShortlist::Position)
                            .integer()
                            .not_null(),
                    )
                    .col(uuid(CallOffShortlist::OfferId))
                    .col(uuid(CallOffShortlist::SupplierId))
                    .col(
                        ColumnDef::new(CallOffShortlist::SupplierName)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CallOffShortlist::Title)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CallOffShortlist::PricingUnit)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CallOffShortlist::UnitPricePence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(CallOffShortlist::AnnualPricePence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(CallOffShortlist::Basis).text().not_null())
                    .col(ColumnDef::new(CallOffShortlist::Rating).text().null())
                    .primary_key(
                        Index::create()
                            .col(CallOffShortlist::CallOffId)
                            .col(CallOffShortlist::Position),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_call_off_shortlist_call_off")
                            .from(CallOffShortlist::Table, CallOffShortlist::CallOffId)
                            .to(CallOffs::Table, CallOffs::Id),
                    )
                    .to_owned(),
            )
            .await?;
        add(manager, Contracts::Table, optional(Contracts::FrameworkId)).await?;
        add(manager, Contracts::Table, optional(Contracts::CallOffId)).await?;
        drop_indexes(manager, &["ux_contracts_tender", "ux_contracts_lot"]).await?;
        run(manager, &GUARDS_AFTER).await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contracts_framework")
                    .table(Contracts::Table)
                    .col(Contracts::FrameworkId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_indexes(
            manager,
            &[
                "ix_contracts_framework",
                "ux_contracts_tender",
                "ux_contracts_lot",
                "ux_contracts_call_off",
            ],
        )
        .await?;
        run(manager, &GUARDS_BEFORE).await?;
        drop(manager, Contracts::Table, Contracts::CallOffId).await?;
        drop(manager, Contracts::Table, Contracts::FrameworkId).await?;
        manager
            .drop_table(Table::drop().table(CallOffShortlist::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(CallOffs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum CallOffs {
    Table,
    Id,
    FrameworkId,
    LotId,
    BuyerId,
    Method,
    Title,
    Status,
    Search,
    Volumes,
    TermMonths,
    TenderId,
    OfferId,
    Justification,
    ContractId,
    CancelReason,
    CreatedBy,
    CreatedAt,
    DecidedAt,
}

#[derive(DeriveIden)]
enum CallOffShortlist {
    Table,
    CallOffId,
    Position,
    OfferId,
    SupplierId,
    SupplierName,
    Title,
    PricingUnit,
    UnitPricePence,
    AnnualPricePence,
    Basis,
    Rating,
}

#[derive(DeriveIden)]
enum Frameworks {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contracts {
    Table,
    FrameworkId,
    CallOffId,
}
