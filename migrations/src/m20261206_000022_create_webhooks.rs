//! Webhooks: an organisation's endpoints for its notifications (Standard Webhooks, signed with
//! a secret of each endpoint's own), and one delivery per notification and endpoint, queued in
//! the notification's own transaction and claimed by one sender at a time.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn instant(column: impl IntoIden, required: bool) -> ColumnDef {
    let mut def = ColumnDef::new(column);
    def.timestamp_with_time_zone();
    if required {
        def.not_null();
    } else {
        def.null();
    }
    def.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhooks::Table)
                    .col(ColumnDef::new(Webhooks::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Webhooks::OrganisationId).uuid().not_null())
                    .col(ColumnDef::new(Webhooks::Url).string_len(2000).not_null())
                    .col(ColumnDef::new(Webhooks::Events).text().not_null())
                    .col(
                        ColumnDef::new(Webhooks::Description)
                            .string_len(500)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Webhooks::Secret).string_len(100).not_null())
                    .col(ColumnDef::new(Webhooks::Active).boolean().not_null())
                    .col(ColumnDef::new(Webhooks::CreatedBy).uuid().not_null())
                    .col(instant(Webhooks::CreatedAt, true))
                    .col(instant(Webhooks::FailingSince, false))
                    .col(instant(Webhooks::DisabledAt, false))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhooks_organisation")
                            .from(Webhooks::Table, Webhooks::OrganisationId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhooks_organisation")
                    .table(Webhooks::Table)
                    .col(Webhooks::OrganisationId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .col(
                        ColumnDef::new(WebhookDeliveries::WebhookId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::NotificationId)
                            .uuid()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::Status)
                            .string_len(10)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(WebhookDeliveries::Attempts)
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(instant(WebhookDeliveries::NextAttemptAt, true))
                    .col(instant(WebhookDeliveries::LockedUntil, false))
                    .col(
                        ColumnDef::new(WebhookDeliveries::LastStatus)
                            .integer()
                            .null(),
                    )
                    .col(ColumnDef::new(WebhookDeliveries::LastError).text().null())
                    .col(instant(WebhookDeliveries::DeliveredAt, false))
                    .col(instant(WebhookDeliveries::CreatedAt, true))
                    .primary_key(
                        Index::create()
                            .col(WebhookDeliveries::WebhookId)
                            .col(WebhookDeliveries::NotificationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_webhook")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::WebhookId)
                            .to(Webhooks::Table, Webhooks::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_notification")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::NotificationId)
                            .to(Notifications::Table, Notifications::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_deliveries_due")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::Status)
                    .col(WebhookDeliveries::NextAttemptAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Webhooks::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Webhooks {
    Table,
    Id,
    OrganisationId,
    Url,
    Events,
    Description,
    Secret,
    Active,
    CreatedBy,
    CreatedAt,
    FailingSince,
    DisabledAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum WebhookDeliveries {
    Table,
    WebhookId,
    NotificationId,
    Status,
    Attempts,
    NextAttemptAt,
    LockedUntil,
    LastStatus,
    LastError,
    DeliveredAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    Id,
}
