//! Lots (Procurement Act 2023 s.18): a tender divided into lots, each with its own state; the
//! most lots one supplier may win, or why the tender is not divided; and the lot each bid,
//! award and contract belongs to. The one-per-tender guards (a live bid per supplier, an award
//! in force, a contract) become one per lot for a divided tender.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The guards on one tender as they were, and as they become for divided and undivided
/// tenders alike.
const GUARDS_BEFORE: [&str; 3] = [
    "CREATE UNIQUE INDEX ux_bids_live ON bids (tender_id, supplier_id) \
     WHERE status <> 'withdrawn'",
    "CREATE UNIQUE INDEX ux_awards_in_force ON awards (tender_id) \
     WHERE status <> 'cancelled'",
    "CREATE UNIQUE INDEX ux_contracts_tender ON contracts (tender_id)",
];

const GUARDS_AFTER: [&str; 6] = [
    "CREATE UNIQUE INDEX ux_bids_live ON bids (tender_id, supplier_id) \
     WHERE status <> 'withdrawn' AND lot_id IS NULL",
    "CREATE UNIQUE INDEX ux_bids_live_lot ON bids (lot_id, supplier_id) \
     WHERE status <> 'withdrawn' AND lot_id IS NOT NULL",
    "CREATE UNIQUE INDEX ux_awards_in_force ON awards (tender_id) \
     WHERE status <> 'cancelled' AND lot_id IS NULL",
    "CREATE UNIQUE INDEX ux_awards_in_force_lot ON awards (lot_id) \
     WHERE status <> 'cancelled' AND lot_id IS NOT NULL",
    "CREATE UNIQUE INDEX ux_contracts_tender ON contracts (tender_id) WHERE lot_id IS NULL",
    "CREATE UNIQUE INDEX ux_contracts_lot ON contracts (lot_id) WHERE lot_id IS NOT NULL",
];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

async fn drop_guards(manager: &SchemaManager<'_>, names: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for name in names {
        db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
            .await?;
    }
    Ok(())
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
    /// In one transaction on SQLite too: its guards are dropped and created again by name, and
    /// outside a transaction each statement may run on another pooled connection, whose view of
    /// the schema can still hold the index just dropped.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(TenderLots::Table)
                    .col(
                        ColumnDef::new(TenderLots::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(TenderLots::TenderId).uuid().not_null())
                    .col(ColumnDef::new(TenderLots::Position).integer().not_null())
                    .col(ColumnDef::new(TenderLots::Title).string_len(200).not_null())
                    .col(ColumnDef::new(TenderLots::Description).text().not_null())
                    .col(
                        ColumnDef::new(TenderLots::EstimatedValuePence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(TenderLots::Status).string_len(20).not_null())
                    .col(ColumnDef::new(TenderLots::UnsuccessfulReason).text().null())
                    .col(
                        ColumnDef::new(TenderLots::DecidedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_tender_lots_tender")
                            .from(TenderLots::Table, TenderLots::TenderId)
                            .to(Tenders::Table, Tenders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_tender_lots_position")
                    .table(TenderLots::Table)
                    .col(TenderLots::TenderId)
                    .col(TenderLots::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        add(
            manager,
            Tenders::Table,
            ColumnDef::new(Tenders::MaxLotsPerSupplier)
                .integer()
                .null()
                .to_owned(),
        )
        .await?;
        add(
            manager,
            Tenders::Table,
            ColumnDef::new(Tenders::NoLotsRationale)
                .text()
                .null()
                .to_owned(),
        )
        .await?;
        add(manager, Bids::Table, lot_column()).await?;
        add(manager, Awards::Table, lot_column()).await?;
        add(manager, Contracts::Table, lot_column()).await?;
        drop_guards(
            manager,
            &["ux_bids_live", "ux_awards_in_force", "ux_contracts_tender"],
        )
        .await?;
        run(manager, &GUARDS_AFTER).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_guards(
            manager,
            &[
                "ux_bids_live",
                "ux_bids_live_lot",
                "ux_awards_in_force",
                "ux_awards_in_force_lot",
                "ux_contracts_tender",
                "ux_contracts_lot",
            ],
        )
        .await?;
        run(manager, &GUARDS_BEFORE).await?;
        drop(manager, Contracts::Table, Lots::LotId).await?;
        drop(manager, Awards::Table, Lots::LotId).await?;
        drop(manager, Bids::Table, Lots::LotId).await?;
        drop(manager, Tenders::Table, Tenders::NoLotsRationale).await?;
        drop(manager, Tenders::Table, Tenders::MaxLotsPerSupplier).await?;
        manager
            .drop_table(Table::drop().table(TenderLots::Table).to_owned())
            .await
    }
}

/// The lot a bid, award or contract belongs to; none for an undivided tender.
fn lot_column() -> ColumnDef {
    ColumnDef::new(Lots::LotId).uuid().null().to_owned()
}

#[derive(DeriveIden)]
enum TenderLots {
    Table,
    Id,
    TenderId,
    Position,
    Title,
    Description,
    EstimatedValuePence,
    Status,
    UnsuccessfulReason,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Tenders {
    Table,
    Id,
    MaxLotsPerSupplier,
    NoLotsRationale,
}

#[derive(DeriveIden)]
enum Lots {
    LotId,
}

#[derive(DeriveIden)]
enum Bids {
    Table,
}

#[derive(DeriveIden)]
enum Awards {
    Table,
}

#[derive(DeriveIden)]
enum Contracts {
    Table,
}
