//! Evaluation and award: the bank-holiday calendar (seeded with England and Wales for
//! 2024–2030), evaluation panels with their conflict-of-interest declarations, scores, bid
//! exclusions, awards with their standstill, challenges, contracts and performance reviews; and
//! the reason a tender was declared unsuccessful.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// England and Wales bank holidays 2024–2030, as published on gov.uk. Admins edit the calendar
/// afterwards (one-off holidays are proclaimed, not computed).
const BANK_HOLIDAYS: &[(&str, &str)] = &[
    ("2024-01-01", "New Year's Day"),
    ("2024-03-29", "Good Friday"),
    ("2024-04-01", "Easter Monday"),
    ("2024-05-06", "Early May bank holiday"),
    ("2024-05-27", "Spring bank holiday"),
    ("2024-08-26", "Summer bank holiday"),
    ("2024-12-25", "Christmas Day"),
    ("2024-12-26", "Boxing Day"),
    ("2025-01-01", "New Year's Day"),
    ("2025-04-18", "Good Friday"),
    ("2025-04-21", "Easter Monday"),
    ("2025-05-05", "Early May bank holiday"),
    ("2025-05-26", "Spring bank holiday"),
    ("2025-08-25", "Summer bank holiday"),
    ("2025-12-25", "Christmas Day"),
    ("2025-12-26", "Boxing Day"),
    ("2026-01-01", "New Year's Day"),
    ("2026-04-03", "Good Friday"),
    ("2026-04-06", "Easter Monday"),
    ("2026-05-04", "Early May bank holiday"),
    ("2026-05-25", "Spring bank holiday"),
    ("2026-08-31", "Summer bank holiday"),
    ("2026-12-25", "Christmas Day"),
    ("2026-12-28", "Boxing Day (substitute day)"),
    ("2027-01-01", "New Year's Day"),
    ("2027-03-26", "Good Friday"),
    ("2027-03-29", "Easter Monday"),
    ("2027-05-03", "Early May bank holiday"),
    ("2027-05-31", "Spring bank holiday"),
    ("2027-08-30", "Summer bank holiday"),
    ("2027-12-27", "Christmas Day (substitute day)"),
    ("2027-12-28", "Boxing Day (substitute day)"),
    ("2028-01-03", "New Year's Day (substitute day)"),
    ("2028-04-14", "Good Friday"),
    ("2028-04-17", "Easter Monday"),
    ("2028-05-01", "Early May bank holiday"),
    ("2028-05-29", "Spring bank holiday"),
    ("2028-08-28", "Summer bank holiday"),
    ("2028-12-25", "Christmas Day"),
    ("2028-12-26", "Boxing Day"),
    ("2029-01-01", "New Year's Day"),
    ("2029-03-30", "Good Friday"),
    ("2029-04-02", "Easter Monday"),
    ("2029-05-07", "Early May bank holiday"),
    ("2029-05-28", "Spring bank holiday"),
    ("2029-08-27", "Summer bank holiday"),
    ("2029-12-25", "Christmas Day"),
    ("2029-12-26", "Boxing Day"),
    ("2030-01-01", "New Year's Day"),
    ("2030-04-19", "Good Friday"),
    ("2030-04-22", "Easter Monday"),
    ("2030-05-06", "Early May bank holiday"),
    ("2030-05-27", "Spring bank holiday"),
    ("2030-08-26", "Summer bank holiday"),
    ("2030-12-25", "Christmas Day"),
    ("2030-12-26", "Boxing Day"),
];

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

fn date(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).date().not_null().to_owned()
}

fn date_null(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).date().null().to_owned()
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
            .alter_table(
                Table::alter()
                    .table(Tenders::Table)
                    .add_column(text_null(Tenders::UnsuccessfulReason))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(BankHolidays::Table)
                    .col(
                        ColumnDef::new(BankHolidays::Day)
                            .date()
                            .not_null()
                            .primary_key(),
                    )
                    .col(string(BankHolidays::Name, 100))
                    .to_owned(),
            )
            .await?;
        let values: Vec<String> = BANK_HOLIDAYS
            .iter()
            .map(|(day, name)| format!("('{day}', '{}')", name.replace('\'', "''")))
            .collect();
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO bank_holidays (day, name) VALUES {}",
                values.join(", ")
            ))
            .await?;

        // The panel: who evaluates a tender, and each member's declaration of interests.
        manager
            .create_table(
                Table::create()
                    .table(TenderEvaluators::Table)
                    .col(uuid(TenderEvaluators::TenderId))
                    .col(uuid(TenderEvaluators::UserId))
                    .col(uuid(TenderEvaluators::AssignedBy))
                    .col(time(TenderEvaluators::AssignedAt))
                    .col(
                        ColumnDef::new(TenderEvaluators::HasConflict)
                            .boolean()
                            .null(),
                    )
                    .col(text_null(TenderEvaluators::ConflictDetails))
                    .col(time_null(TenderEvaluators::DeclaredAt))
                    .primary_key(
                        Index::create()
                            .col(TenderEvaluators::TenderId)
                            .col(TenderEvaluators::UserId),
                    )
                    .foreign_key(&mut fk(
                        "fk_tender_evaluators_tender",
                        (TenderEvaluators::Table, TenderEvaluators::TenderId),
                        (Tenders::Table, Tenders::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_tender_evaluators_user",
                        (TenderEvaluators::Table, TenderEvaluators::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_tender_evaluators_user",
            TenderEvaluators::Table,
            vec![TenderEvaluators::UserId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Scores::Table)
                    .col(id(Scores::Id))
                    .col(uuid(Scores::TenderId))
                    .col(uuid(Scores::BidId))
                    .col(uuid(Scores::CriterionId))
                    .col(uuid(Scores::EvaluatorId))
                    .col(int(Scores::Score))
                    .col(text(Scores::Justification))
                    .col(time(Scores::ScoredAt))
                    .col(time(Scores::UpdatedAt))
                    .foreign_key(&mut fk(
                        "fk_scores_bid",
                        (Scores::Table, Scores::BidId),
                        (Bids::Table, Bids::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_scores_criterion",
                        (Scores::Table, Scores::CriterionId),
                        (TenderCriteria::Table, TenderCriteria::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_scores_evaluator",
                        (Scores::Table, Scores::EvaluatorId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_scores_mark",
            Scores::Table,
            vec![
                Scores::BidId.into_iden(),
                Scores::CriterionId.into_iden(),
                Scores::EvaluatorId.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "ix_scores_tender",
            Scores::Table,
            vec![Scores::TenderId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(BidExclusions::Table)
                    .col(id(BidExclusions::BidId))
                    .col(uuid(BidExclusions::TenderId))
                    .col(text(BidExclusions::Reason))
                    .col(uuid(BidExclusions::ExcludedBy))
                    .col(time(BidExclusions::ExcludedAt))
                    .foreign_key(&mut fk(
                        "fk_bid_exclusions_bid",
                        (BidExclusions::Table, BidExclusions::BidId),
                        (Bids::Table, Bids::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Awards::Table)
                    .col(id(Awards::Id))
                    .col(uuid(Awards::TenderId))
                    .col(uuid(Awards::BidId))
                    .col(uuid(Awards::SupplierId))
                    .col(int(Awards::Rank))
                    .col(text_null(Awards::Justification))
                    .col(uuid(Awards::AwardedBy))
                    .col(time(Awards::AwardedAt))
                    .col(date_null(Awards::StandstillLastDay))
                    .col(time(Awards::StandstillEndsAt))
                    // standstill, contracted, or cancelled (a challenge was upheld, or the tender
                    // was cancelled).
                    .col(string(Awards::Status, 20))
                    .col(time_null(Awards::CancelledAt))
                    .foreign_key(&mut fk(
                        "fk_awards_tender",
                        (Awards::Table, Awards::TenderId),
                        (Tenders::Table, Tenders::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_awards_bid",
                        (Awards::Table, Awards::BidId),
                        (Bids::Table, Bids::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        // One award in force per tender, whatever the application does: the last guard against
        // two concurrent awards.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_awards_in_force ON awards (tender_id) \
                 WHERE status <> 'cancelled'",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Challenges::Table)
                    .col(id(Challenges::Id))
                    .col(uuid(Challenges::TenderId))
                    .col(uuid(Challenges::AwardId))
                    .col(uuid(Challenges::SupplierId))
                    .col(text(Challenges::Grounds))
                    .col(uuid(Challenges::LodgedBy))
                    .col(time(Challenges::LodgedAt))
                    .col(string(Challenges::Status, 20))
                    .col(text_null(Challenges::ResolutionNotes))
                    .col(uuid_null(Challenges::ResolvedBy))
                    .col(time_null(Challenges::ResolvedAt))
                    .foreign_key(&mut fk(
                        "fk_challenges_award",
                        (Challenges::Table, Challenges::AwardId),
                        (Awards::Table, Awards::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ix_challenges_tender",
            Challenges::Table,
            vec![Challenges::TenderId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(Contracts::Table)
                    .col(id(Contracts::Id))
                    .col(uuid(Contracts::TenderId))
                    .col(uuid(Contracts::AwardId))
                    .col(uuid(Contracts::BidId))
                    .col(uuid(Contracts::BuyerId))
                    // The holder now (novations move it) and the supplier that won the award.
                    .col(uuid(Contracts::SupplierId))
                    .col(uuid(Contracts::AwardedSupplierId))
                    .col(string(Contracts::Title, 200))
                    .col(string(Contracts::CategoryCode, 60))
                    .col(string(Contracts::Region, 40))
                    .col(money(Contracts::TotalValuePence))
                    .col(money(Contracts::AnnualValuePence))
                    .col(date(Contracts::StartDate))
                    .col(date(Contracts::EndDate))
                    // active, terminated or novated; "ended" is read from the end date.
                    .col(string(Contracts::Status, 20))
                    .col(time(Contracts::AwardedAt))
                    .col(time(Contracts::CreatedAt))
                    .col(uuid(Contracts::CreatedBy))
                    .col(time_null(Contracts::TerminatedAt))
                    .col(text_null(Contracts::TerminationReason))
                    .foreign_key(&mut fk(
                        "fk_contracts_tender",
                        (Contracts::Table, Contracts::TenderId),
                        (Tenders::Table, Tenders::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_contracts_buyer",
                        (Contracts::Table, Contracts::BuyerId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_contracts_supplier",
                        (Contracts::Table, Contracts::SupplierId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_contracts_tender",
            Contracts::Table,
            vec![Contracts::TenderId.into_iden()],
            true,
        )
        .await?;
        index(
            manager,
            "ix_contracts_supplier",
            Contracts::Table,
            vec![Contracts::SupplierId.into_iden()],
            false,
        )
        .await?;
        index(
            manager,
            "ix_contracts_buyer",
            Contracts::Table,
            vec![Contracts::BuyerId.into_iden()],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(PerformanceReviews::Table)
                    .col(id(PerformanceReviews::Id))
                    .col(uuid(PerformanceReviews::ContractId))
                    .col(uuid(PerformanceReviews::SupplierId))
                    .col(uuid(PerformanceReviews::BuyerId))
                    .col(string(PerformanceReviews::Period, 40))
                    .col(int(PerformanceReviews::Delivery))
                    .col(int(PerformanceReviews::Quality))
                    .col(int(PerformanceReviews::ValueForMoney))
                    .col(int(PerformanceReviews::Responsiveness))
                    .col(text_null(PerformanceReviews::Comments))
                    .col(uuid(PerformanceReviews::ReviewedBy))
                    .col(time(PerformanceReviews::ReviewedAt))
                    .foreign_key(&mut fk(
                        "fk_performance_reviews_contract",
                        (PerformanceReviews::Table, PerformanceReviews::ContractId),
                        (Contracts::Table, Contracts::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "ux_performance_reviews_period",
            PerformanceReviews::Table,
            vec![
                PerformanceReviews::ContractId.into_iden(),
                PerformanceReviews::Period.into_iden(),
            ],
            true,
        )
        .await?;
        index(
            manager,
            "ix_performance_reviews_supplier",
            PerformanceReviews::Table,
            vec![
                PerformanceReviews::SupplierId.into_iden(),
                PerformanceReviews::ReviewedAt.into_iden(),
            ],
            false,
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PerformanceReviews::Table.into_iden(),
            Contracts::Table.into_iden(),
            Challenges::Table.into_iden(),
            Awards::Table.into_iden(),
            BidExclusions::Table.into_iden(),
            Scores::Table.into_iden(),
            TenderEvaluators::Table.into_iden(),
            BankHolidays::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Tenders::Table)
                    .drop_column(Tenders::UnsuccessfulReason)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Tenders {
    Table,
    Id,
    UnsuccessfulReason,
}

#[derive(DeriveIden)]
enum BankHolidays {
    Table,
    Day,
    Name,
}

#[derive(DeriveIden)]
enum TenderEvaluators {
    Table,
    TenderId,
    UserId,
    AssignedBy,
    AssignedAt,
    HasConflict,
    ConflictDetails,
    DeclaredAt,
}

#[derive(DeriveIden)]
enum Scores {
    Table,
    Id,
    TenderId,
    BidId,
    CriterionId,
    EvaluatorId,
    Score,
    Justification,
    ScoredAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum BidExclusions {
    Table,
    BidId,
    TenderId,
    Reason,
    ExcludedBy,
    ExcludedAt,
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    Id,
    TenderId,
    BidId,
    SupplierId,
    Rank,
    Justification,
    AwardedBy,
    AwardedAt,
    StandstillLastDay,
    StandstillEndsAt,
    Status,
    CancelledAt,
}

#[derive(DeriveIden)]
enum Challenges {
    Table,
    Id,
    TenderId,
    AwardId,
    SupplierId,
    Grounds,
    LodgedBy,
    LodgedAt,
    Status,
    ResolutionNotes,
    ResolvedBy,
    ResolvedAt,
}

#[derive(DeriveIden)]
enum Contracts {
    Table,
    Id,
    TenderId,
    AwardId,
    BidId,
    BuyerId,
    SupplierId,
    AwardedSupplierId,
    Title,
    CategoryCode,
    Region,
    TotalValuePence,
    AnnualValuePence,
    StartDate,
    EndDate,
    Status,
    AwardedAt,
    CreatedAt,
    CreatedBy,
    TerminatedAt,
    TerminationReason,
}

#[derive(DeriveIden)]
enum PerformanceReviews {
    Table,
    Id,
    ContractId,
    SupplierId,
    BuyerId,
    Period,
    Delivery,
    Quality,
    ValueForMoney,
    Responsiveness,
    Comments,
    ReviewedBy,
    ReviewedAt,
}

#[derive(DeriveIden)]
enum Bids {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TenderCriteria {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}
