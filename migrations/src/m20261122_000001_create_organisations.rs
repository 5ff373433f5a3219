use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Organisations::Table)
                    .col(
                        ColumnDef::new(Organisations::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(Organisations::Name)
                            .string_len(200)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organisations::Kind)
                            .string_len(20)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Organisations::OdsCode).string_len(10).null())
                    .col(ColumnDef::new(Organisations::Region).string_len(40).null())
                    .col(ColumnDef::new(Organisations::SuccessorId).uuid().null())
                    .col(
                        ColumnDef::new(Organisations::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Organisations::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_organisations_successor")
                            .from(Organisations::Table, Organisations::SuccessorId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Unique when present: both databases let any number of rows hold NULL.
        manager
            .create_index(
                Index::create()
                    .name("ux_organisations_ods_code")
                    .table(Organisations::Table)
                    .col(Organisations::OdsCode)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_organisations_kind")
                    .table(Organisations::Table)
                    .col(Organisations::Kind)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organisations::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Name,
    Kind,
    OdsCode,
    Region,
    SuccessorId,
    CreatedAt,
    UpdatedAt,
}
