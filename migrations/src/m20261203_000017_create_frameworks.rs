//! Frameworks (Procurement Act 2023 s.45–47): a tender's framework terms (how many suppliers,
//! its term, how buyers call off and which buyers may); the framework agreement entered after
//! the standstill with a place for each admitted supplier (per lot); awards that admit one of
//! several suppliers; catalogue offers marked as a framework's; and the framework a
//! competitive selection call-off's tender is run under.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The award guards as migration 16 left them, and as they become: one award in force per
/// undivided tender or per lot still, but not for a framework's awards, of which a lot has
/// several; and any bid is awarded at most once.
const GUARDS_BEFORE: [&str; 2] = [
    "CREATE UNIQUE INDEX ux_awards_in_force ON awards (tender_id) \
     WHERE status <> 'cancelled' AND lot_id IS NULL",
    "CREATE UNIQUE INDEX ux_awards_in_force_lot ON awards (lot_id) \
     WHERE status <> 'cancelled' AND lot_id IS NOT NULL",
];

const GUARDS_AFTER: [&str; 3] = [
    "CREATE UNIQUE INDEX ux_awards_in_force ON awards (tender_id) \
     WHERE status <> 'cancelled' AND lot_id IS NULL AND NOT framework",
    "CREATE UNIQUE INDEX ux_awards_in_force_lot ON awards (lot_id) \
     WHERE status <> 'cancelled' AND lot_id IS NOT NULL AND NOT framework",
    "CREATE UNIQUE INDEX ux_awards_bid ON awards (bid_id) WHERE status <> 'cancelled'",
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
    /// In one transaction on SQLite too: guards are dropped and created again by name (see
    /// migration 16).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(FrameworkTerms::Table)
                    .col(uuid(FrameworkTerms::TenderId).primary_key())
                    .col(
                        ColumnDef::new(FrameworkTerms::MaxSuppliers)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FrameworkTerms::TermMonths)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FrameworkTerms::CallOffMethods)
                            .string_len(60)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(FrameworkTerms::DirectAwardRule)
                            .string_len(40)
                            .null(),
                    )
                    .col(
                        ColumnDef::new(FrameworkTerms::AllBuyers)
                            .boolean()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_framework_terms_tender")
                            .from(FrameworkTerms::Table, FrameworkTerms::TenderId)
                            .to(Tenders::Table, Tenders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(FrameworkEligibleBuyers::Table)
                    .col(uuid(FrameworkEligibleBuyers::TenderId))
                    .col(uuid(FrameworkEligibleBuyers::BuyerId))
                    .primary_key(
                        Index::create()
                            .col(FrameworkEligibleBuyers::TenderId)
                            .col(FrameworkEligibleBuyers::BuyerId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_framework_eligible_buyers_tender")
                            .from(
                                FrameworkEligibleBuyers::Table,
                                FrameworkEligibleBuyers::TenderId,
                            )
                            .to(Tenders::Table, Tenders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_framework_eligible_buyers_buyer")
                            .from(
                                FrameworkEligibleBuyers::Table,
                                FrameworkEligibleBuyers::BuyerId,
                            )
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The agreement itself, entered once (its first lot's confirmation); its term counts
        // from then.
        manager
            .create_table(
                Table::create()
                    .table(Frameworks::Table)
                    .col(uuid(Frameworks::Id).primary_key())
                    .col(uuid(Frameworks::TenderId))
                    .col(uuid(Frameworks::BuyerId))
                    .col(ColumnDef::new(Frameworks::Title).string_len(200).not_null())
                    .col(
                        ColumnDef::new(Frameworks::CategoryCode)
                            .string_len(60)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Frameworks::Region).string_len(40).not_null())
                    .col(ColumnDef::new(Frameworks::StartDate).date().not_null())
                    .col(ColumnDef::new(Frameworks::EndDate).date().not_null())
                    .col(instant(Frameworks::CreatedAt))
                    .col(uuid(Frameworks::CreatedBy))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_frameworks_tender")
                            .from(Frameworks::Table, Frameworks::TenderId)
                            .to(Tenders::Table, Tenders::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_frameworks_tender")
                    .table(Frameworks::Table)
                    .col(Frameworks::TenderId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A supplier's place on the framework (on one lot of a divided one), won by an award;
        // a takeover moves it to the acquirer, keeping who won it.
        manager
            .create_table(
                Table::create()
                    .table(FrameworkPlaces::Table)
                    .col(uuid(FrameworkPlaces::Id).primary_key())
                    .col(uuid(FrameworkPlaces::FrameworkId))
                    .col(ColumnDef::new(FrameworkPlaces::LotId).uuid().null())
                    .col(uuid(FrameworkPlaces::AwardId))
                    .col(uuid(FrameworkPlaces::AwardedSupplierId))
                    .col(uuid(FrameworkPlaces::SupplierId))
                    .col(instant(FrameworkPlaces::JoinedAt))
                    .col(
                        ColumnDef::new(FrameworkPlaces::EndedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_framework_places_framework")
                            .from(FrameworkPlaces::Table, FrameworkPlaces::FrameworkId)
                            .to(Frameworks::Table, Frameworks::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_framework_places_supplier")
                            .from(FrameworkPlaces::Table, FrameworkPlaces::SupplierId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "ix_framework_places_framework",
                FrameworkPlaces::FrameworkId,
            ),
            ("ix_framework_places_supplier", FrameworkPlaces::SupplierId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(FrameworkPlaces::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        add(
            manager,
            Awards::Table,
            ColumnDef::new(Awards::Framework)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        )
        .await?;
        drop_indexes(manager, &["ux_awards_in_force", "ux_awards_in_force_lot"]).await?;
        run(manager, &GUARDS_AFTER).await?;
        add(
            manager,
            Offers::Table,
            ColumnDef::new(Offers::FrameworkId).uuid().null().to_owned(),
        )
        .await?;
        add(
            manager,
            Offers::Table,
            ColumnDef::new(Offers::FrameworkLotId)
                .uuid()
                .null()
                .to_owned(),
        )
        .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_offers_framework")
                    .table(Offers::Table)
                    .col(Offers::FrameworkId)
                    .col(Offers::FrameworkLotId)
                    .to_owned(),
            )
            .await?;
        add(
            manager,
            Tenders::Table,
            ColumnDef::new(Tenders::FrameworkId)
                .uuid()
                .null()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop(manager, Tenders::Table, Tenders::FrameworkId).await?;
        drop_indexes(manager, &["ix_offers_framework"]).await?;
        drop(manager, Offers::Table, Offers::FrameworkLotId).await?;
        drop(manager, Offers::Table, Offers::FrameworkId).await?;
        drop_indexes(
            manager,
            &[
                "ux_awards_in_force",
                "ux_awards_in_force_lot",
                "ux_awards_bid",
            ],
        )
        .await?;
        run(manager, &GUARDS_BEFORE).await?;
        drop(manager, Awards::Table, Awards::Framework).await?;
        for table in [
            FrameworkPlaces::Table.into_iden(),
            Frameworks::Table.into_iden(),
            FrameworkEligibleBuyers::Table.into_iden(),
            FrameworkTerms::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum FrameworkTerms {
    Table,
    TenderId,
    MaxSuppliers,
    TermMonths,
    CallOffMethods,
    DirectAwardRule,
    AllBuyers,
}

#[derive(DeriveIden)]
enum FrameworkEligibleBuyers {
    Table,
    TenderId,
    BuyerId,
}

#[derive(DeriveIden)]
enum Frameworks {
    Table,
    Id,
    TenderId,
    BuyerId,
    Title,
    CategoryCode,
    Region,
    StartDate,
    EndDate,
    CreatedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum FrameworkPlaces {
    Table,
    Id,
    FrameworkId,
    LotId,
    AwardId,
    AwardedSupplierId,
    SupplierId,
    JoinedAt,
    EndedAt,
}

#[derive(DeriveIden)]
enum Tenders {
    Table,
    Id,
    FrameworkId,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    Framework,
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    FrameworkId,
    FrameworkLotId,
}
