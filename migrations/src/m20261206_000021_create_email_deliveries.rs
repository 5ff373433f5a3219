//! Email: each user may turn notification emails off (`users.email_notifications`), and every
//! notification is queued as one delivery per active user of its organisation who has not, in
//! the notification's own transaction (the outbox). A delivery is claimed by one sender at a time
//! (`locked_until`), tried again later on failure (`next_attempt_at`), and ends `sent` or
//! `failed`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(
                        ColumnDef::new(Users::EmailNotifications)
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(EmailDeliveries::Table)
                    .col(
                        ColumnDef::new(EmailDeliveries::NotificationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(ColumnDef::new(EmailDeliveries::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(EmailDeliveries::Email)
                            .string_len(254)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EmailDeliveries::Status)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EmailDeliveries::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(EmailDeliveries::NextAttemptAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(EmailDeliveries::LockedUntil)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(EmailDeliveries::LastError).text().null())
                    .col(
                        ColumnDef::new(EmailDeliveries::SentAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(EmailDeliveries::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .primary_key(
                        Index::create()
                            .col(EmailDeliveries::NotificationId)
                            .col(EmailDeliveries::UserId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_email_deliveries_notification")
                            .from(EmailDeliveries::Table, EmailDeliveries::NotificationId)
                            .to(Notifications::Table, Notifications::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The sender's question: which pending deliveries are due?
        manager
            .create_index(
                Index::create()
                    .name("ix_email_deliveries_due")
                    .table(EmailDeliveries::Table)
                    .col(EmailDeliveries::Status)
                    .col(EmailDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(EmailDeliveries::Table).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .drop_column(Users::EmailNotifications)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    EmailNotifications,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum EmailDeliveries {
    Table,
    NotificationId,
    UserId,
    Email,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastError,
    SentAt,
    CreatedAt,
}
