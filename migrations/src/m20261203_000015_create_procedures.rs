//! What the Procurement Act's procedures record beyond a plain competition: the assessment
//! summaries sent at an award; a competitive flexible procedure's participation stage (its
//! expression-of-interest deadline, conditions, requests and shortlist); a direct award's
//! Schedule 5 ground, justification and supplier, its transparency standstill and the
//! challenges lodged during it; and the recorded natural end of a contract.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// One column added to a table: SQLite alters one column per statement.
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
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(
            manager,
            Awards::Table,
            ColumnDef::new(Awards::AssessmentSummariesSentAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        )
        .await?;
        // Each summary as it was sent, written once: what a bidder was told cannot change.
        manager
            .create_table(
                Table::create()
                    .table(AssessmentSummaries::Table)
                    .col(
                        ColumnDef::new(AssessmentSummaries::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(AssessmentSummaries::AwardId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AssessmentSummaries::TenderId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AssessmentSummaries::BidId).uuid().not_null())
                    .col(
                        ColumnDef::new(AssessmentSummaries::SupplierId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AssessmentSummaries::Summary)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(AssessmentSummaries::SentAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_assessment_summaries_award")
                            .from(AssessmentSummaries::Table, AssessmentSummaries::AwardId)
                            .to(Awards::Table, Awards::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_assessment_summaries_award_bid")
                    .table(AssessmentSummaries::Table)
                    .col(AssessmentSummaries::AwardId)
                    .col(AssessmentSummaries::BidId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for column in [
            ColumnDef::new(Tenders::ExpressionOfInterestDeadline)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Tenders::ConditionsOfParticipation)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(Tenders::ShortlistedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Tenders::DirectAwardGround)
                .string_len(40)
                .null()
                .to_owned(),
            ColumnDef::new(Tenders::DirectAwardJustification)
                .text()
                .null()
                .to_owned(),
            ColumnDef::new(Tenders::DirectAwardSupplierId)
                .uuid()
                .null()
                .to_owned(),
            ColumnDef::new(Tenders::TransparencyStandstillLastDay)
                .date()
                .null()
                .to_owned(),
            ColumnDef::new(Tenders::TransparencyStandstillEndsAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            add(manager, Tenders::Table, column).await?;
        }
        // One request per supplier per tender, revised in place (its version counts revisions);
        // the shortlist decision is written on it once.
        manager
            .create_table(
                Table::create()
                    .table(ParticipationRequests::Table)
                    .col(
                        ColumnDef::new(ParticipationRequests::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::TenderId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::SupplierId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::Statement)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::Version)
                            .integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::SubmittedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::SubmittedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::Admitted)
                            .boolean()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::DecisionReason)
                            .text()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(ParticipationRequests::DecidedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participation_requests_tender")
                            .from(
                                ParticipationRequests::Table,
                                ParticipationRequests::TenderId,
                            )
                            .to(Tenders::Table, Tenders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_participation_requests_supplier")
                            .from(
                                ParticipationRequests::Table,
                                ParticipationRequests::SupplierId,
                            )
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_participation_requests_supplier")
                    .table(ParticipationRequests::Table)
                    .col(ParticipationRequests::TenderId)
                    .col(ParticipationRequests::SupplierId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        // A direct award has no bid and no competitive award: challenges to it during its
        // transparency standstill name the tender alone.
        manager
            .create_table(
                Table::create()
                    .table(DirectAwardChallenges::Table)
                    .col(
                        ColumnDef::new(DirectAwardChallenges::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(DirectAwardChallenges::TenderId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DirectAwardChallenges::SupplierId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DirectAwardChallenges::Grounds)
                            .text()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DirectAwardChallenges::LodgedBy)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DirectAwardChallenges::LodgedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DirectAwardChallenges::Status)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(DirectAwardChallenges::ResolutionNotes)
                            .text()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(DirectAwardChallenges::ResolvedBy)
                            .uuid()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(DirectAwardChallenges::ResolvedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_direct_award_challenges_tender")
                            .from(
                                DirectAwardChallenges::Table,
                                DirectAwardChallenges::TenderId,
                            )
                            .to(Tenders::Table, Tenders::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_direct_award_challenges_supplier")
                            .from(
                                DirectAwardChallenges::Table,
                                DirectAwardChallenges::SupplierId,
                            )
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        add(
            manager,
            Contracts::Table,
            ColumnDef::new(Contracts::EndedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop(manager, Contracts::Table, Contracts::EndedAt).await?;
        manager
            .drop_table(Table::drop().table(DirectAwardChallenges::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ParticipationRequests::Table).to_owned())
            .await?;
        for column in [
            Tenders::TransparencyStandstillEndsAt,
            Tenders::TransparencyStandstillLastDay,
            Tenders::DirectAwardSupplierId,
            Tenders::DirectAwardJustification,
            Tenders::DirectAwardGround,
            Tenders::ShortlistedAt,
            Tenders::ConditionsOfParticipation,
            Tenders::ExpressionOfInterestDeadline,
        ] {
            drop(manager, Tenders::Table, column).await?;
        }
        manager
            .drop_table(Table::drop().table(AssessmentSummaries::Table).to_owned())
            .await?;
        drop(manager, Awards::Table, Awards::AssessmentSummariesSentAt).await
    }
}

#[derive(DeriveIden)]
enum Awards {
    Table,
    Id,
    AssessmentSummariesSentAt,
}

#[derive(DeriveIden)]
enum AssessmentSummaries {
    Table,
    Id,
    AwardId,
    TenderId,
    BidId,
    SupplierId,
    Summary,
    SentAt,
}

#[derive(DeriveIden)]
enum Tenders {
    Table,
    Id,
    ExpressionOfInterestDeadline,
    ConditionsOfParticipation,
    ShortlistedAt,
    DirectAwardGround,
    DirectAwardJustification,
    DirectAwardSupplierId,
    TransparencyStandstillLastDay,
    TransparencyStandstillEndsAt,
}

#[derive(DeriveIden)]
enum DirectAwardChallenges {
    Table,
    Id,
    TenderId,
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
enum ParticipationRequests {
    Table,
    Id,
    TenderId,
    SupplierId,
    Statement,
    Version,
    SubmittedBy,
    SubmittedAt,
    UpdatedAt,
    Admitted,
    DecisionReason,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contracts {
    Table,
    EndedAt,
}
