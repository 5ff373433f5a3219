use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Offers::Table)
                    .col(ColumnDef::new(Offers::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Offers::SupplierId).uuid().not_null())
                    .col(
                        ColumnDef::new(Offers::CategoryCode)
                            .string_len(60)
                            .not_null(),
                    )
                    .col(ColumnDef::new(Offers::Title).string_len(200).not_null())
                    .col(ColumnDef::new(Offers::Summary).string_len(500).not_null())
                    .col(ColumnDef::new(Offers::Description).text().not_null())
                    // One bit per NHS England region served.
                    .col(ColumnDef::new(Offers::RegionsMask).integer().not_null())
                    .col(
                        ColumnDef::new(Offers::PricingUnit)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Offers::UnitPricePence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(Offers::MinimumTermMonths).integer().null())
                    .col(ColumnDef::new(Offers::Status).string_len(20).not_null())
                    // Optimistic concurrency: every change increments it; it is the ETag.
                    .col(ColumnDef::new(Offers::Version).integer().not_null())
                    // A stable hash of the id: the neutral order among ties.
                    .col(ColumnDef::new(Offers::TieBreak).big_integer().not_null())
                    .col(
                        ColumnDef::new(Offers::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Offers::UpdatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(Offers::PublishedAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(
                        ColumnDef::new(Offers::WithdrawnAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_offers_supplier")
                            .from(Offers::Table, Offers::SupplierId)
                            .to(Organisations::Table, Organisations::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_offers_category")
                            .from(Offers::Table, Offers::CategoryCode)
                            .to(Categories::Table, Categories::Code),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "ix_offers_supplier",
                vec![Offers::SupplierId, Offers::Status],
            ),
            // Catalogue browsing: a category's published offers in price order, ties neutral.
            (
                "ix_offers_status_category_price",
                vec![
                    Offers::Status,
                    Offers::CategoryCode,
                    Offers::UnitPricePence,
                    Offers::TieBreak,
                ],
            ),
            (
                "ix_offers_status_price",
                vec![Offers::Status, Offers::UnitPricePence, Offers::TieBreak],
            ),
            (
                "ix_offers_status_tie",
                vec![Offers::Status, Offers::TieBreak],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(Offers::Table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(OfferPrices::Table)
                    .col(
                        ColumnDef::new(OfferPrices::Id)
                            .uuid()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(OfferPrices::OfferId).uuid().not_null())
                    .col(
                        ColumnDef::new(OfferPrices::PricingUnit)
                            .string_len(40)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OfferPrices::UnitPricePence)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(OfferPrices::EffectiveFrom)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_offer_prices_offer")
                            .from(OfferPrices::Table, OfferPrices::OfferId)
                            .to(Offers::Table, Offers::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_offer_prices_offer_effective")
                    .table(OfferPrices::Table)
                    .col(OfferPrices::OfferId)
                    .col(OfferPrices::EffectiveFrom)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OfferPrices::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Offers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Offers {
    Table,
    Id,
    SupplierId,
    CategoryCode,
    Title,
    Summary,
    Description,
    RegionsMask,
    PricingUnit,
    UnitPricePence,
    MinimumTermMonths,
    Status,
    Version,
    TieBreak,
    CreatedAt,
    UpdatedAt,
    PublishedAt,
    WithdrawnAt,
}

#[derive(DeriveIden)]
enum OfferPrices {
    Table,
    Id,
    OfferId,
    PricingUnit,
    UnitPricePence,
    EffectiveFrom,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Code,
}
