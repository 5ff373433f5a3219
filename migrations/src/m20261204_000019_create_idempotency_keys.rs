//! Idempotency keys (the IETF httpapi `Idempotency-Key` draft): one row per user and key holds
//! the fingerprint of the request that first used it and, once that request has been answered,
//! the answer itself, written in the same transaction as the change it made. A row without an
//! answer is a request still running (or one whose process died: its change rolled back with
//! it, so another may take the key over once `locked_until` has passed).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn instant(column: IdempotencyKeys) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKeys::Table)
                    .col(ColumnDef::new(IdempotencyKeys::UserId).uuid().not_null())
                    .col(
                        ColumnDef::new(IdempotencyKeys::IdempotencyKey)
                            .string_len(255)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::Fingerprint)
                            .string_len(64)
                            .not_null(),
                    )
                    .col(ColumnDef::new(IdempotencyKeys::Claim).uuid().not_null())
                    .col(
                        ColumnDef::new(IdempotencyKeys::ResponseStatus)
                            .integer()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(IdempotencyKeys::ResponseHeaders)
                            .text()
                            .null(),
                    )
                    .col(ColumnDef::new(IdempotencyKeys::ResponseBody).blob().null())
                    .col(instant(IdempotencyKeys::LockedUntil))
                    .col(instant(IdempotencyKeys::CreatedAt))
                    .col(instant(IdempotencyKeys::ExpiresAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyKeys::UserId)
                            .col(IdempotencyKeys::IdempotencyKey),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_idempotency_keys_expires_at")
                    .table(IdempotencyKeys::Table)
                    .col(IdempotencyKeys::ExpiresAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum IdempotencyKeys {
    Table,
    UserId,
    IdempotencyKey,
    Fingerprint,
    Claim,
    ResponseStatus,
    ResponseHeaders,
    ResponseBody,
    LockedUntil,
    CreatedAt,
    ExpiresAt,
}
