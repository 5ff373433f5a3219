//! Transfers of business between suppliers (mergers, takeovers, break-ups, novations) and the
//! novation history of each contract they moved.

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

fn time(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .to_owned()
}

fn date(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).date().not_null().to_owned()
}

fn string(column: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(column).string_len(len).not_null().to_owned()
}

fn int(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column).integer().not_null().to_owned()
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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Transfers::Table)
                    .col(id(Transfers::Id))
                    .col(string(Transfers::Kind, 20))
                    .col(uuid(Transfers::FromSupplierId))
                    .col(uuid(Transfers::ToSupplierId))
                    .col(date(Transfers::EffectiveDate))
                    // The whole business (every active contract, offers withdrawn, the source
                    // merged into the target) or named contracts only.
                    .col(
                        ColumnDef::new(Transfers::WholeBusiness)
                            .boolean()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Transfers::Reason).text().not_null())
                    .col(int(Transfers::ContractsMoved))
                    .col(int(Transfers::OffersWithdrawn))
                    .col(uuid(Transfers::RecordedBy))
                    .col(time(Transfers::RecordedAt))
                    .foreign_key(&mut fk(
                        "fk_transfers_from",
                        (Transfers::Table, Transfers::FromSupplierId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_transfers_to",
                        (Transfers::Table, Transfers::ToSupplierId),
                        (Organisations::Table, Organisations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ContractNovations::Table)
                    .col(id(ContractNovations::Id))
                    .col(uuid(ContractNovations::ContractId))
                    .col(uuid(ContractNovations::TransferId))
                    .col(uuid(ContractNovations::FromSupplierId))
                    .col(uuid(ContractNovations::ToSupplierId))
                    .col(date(ContractNovations::EffectiveDate))
                    .col(time(ContractNovations::RecordedAt))
                    .foreign_key(&mut fk(
                        "fk_contract_novations_contract",
                        (ContractNovations::Table, ContractNovations::ContractId),
                        (Contracts::Table, Contracts::Id),
                    ))
                    .foreign_key(&mut fk(
                        "fk_contract_novations_transfer",
                        (ContractNovations::Table, ContractNovations::TransferId),
                        (Transfers::Table, Transfers::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contract_novations_contract")
                    .table(ContractNovations::Table)
                    .col(ContractNovations::ContractId)
                    .to_owned(),
            )
            .await?;
        // Market analytics group awarded contracts by holder and by awardee, per award date.
        manager
            .create_index(
                Index::create()
                    .name("ix_contracts_awarded_supplier")
                    .table(Contracts::Table)
                    .col(Contracts::AwardedSupplierId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_contracts_market")
                    .table(Contracts::Table)
                    .col(Contracts::CategoryCode)
                    .col(Contracts::Region)
                    .col(Contracts::AwardedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for index in ["ix_contracts_market", "ix_contracts_awarded_supplier"] {
            manager
                .drop_index(Index::drop().name(index).table(Contracts::Table).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(ContractNovations::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Transfers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Transfers {
    Table,
    Id,
    Kind,
    FromSupplierId,
    ToSupplierId,
    EffectiveDate,
    WholeBusiness,
    Reason,
    ContractsMoved,
    OffersWithdrawn,
    RecordedBy,
    RecordedAt,
}

#[derive(DeriveIden)]
enum ContractNovations {
    Table,
    Id,
    ContractId,
    TransferId,
    FromSupplierId,
    ToSupplierId,
    EffectiveDate,
    RecordedAt,
}

#[derive(DeriveIden)]
enum Contracts {
    Table,
    Id,
    AwardedSupplierId,
    CategoryCode,
    Region,
    AwardedAt,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}
