use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Service categories and NHS England regions, seeded here: reference data that requests name by
/// code. Frozen: later changes to the lists are new migrations.
const CATEGORIES: &[(&str, &str)] = &[
    ("procurement", "Procurement"),
    ("contracting", "Contracting"),
    (
        "data_analysis_bi",
        "Data analysis and business intelligence",
    ),
    ("finance", "Finance"),
    ("hr", "Human resources"),
    ("it", "IT and digital"),
    ("communications_engagement", "Communications and engagement"),
    ("medicines_optimisation", "Medicines optimisation"),
    ("continuing_healthcare", "Continuing healthcare"),
    ("primary_care_support", "Primary care support"),
    ("information_governance", "Information governance"),
    (
        "transformation_pmo",
        "Transformation and programme management",
    ),
    ("population_health", "Population health management"),
    ("individual_funding_requests", "Individual funding requests"),
    ("estates", "Estates and facilities"),
];

const REGIONS: &[(&str, &str)] = &[
    ("north_east_and_yorkshire", "North East and Yorkshire"),
    ("north_west", "North West"),
    ("midlands", "Midlands"),
    ("east_of_england", "East of England"),
    ("london", "London"),
    ("south_east", "South East"),
    ("south_west", "South West"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(
                        ColumnDef::new(Categories::Code)
                            .string_len(60)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Categories::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Categories::SortOrder).integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(
                        ColumnDef::new(Regions::Code)
                            .string_len(40)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Regions::Name).string_len(200).not_null())
                    .col(ColumnDef::new(Regions::SortOrder).integer().not_null())
                    .to_owned(),
            )
            .await?;
        let mut categories = Query::insert();
        categories.into_table(Categories::Table).columns([
            Categories::Code,
            Categories::Name,
            Categories::SortOrder,
        ]);
        for (i, (code, name)) in CATEGORIES.iter().enumerate() {
            categories.values_panic([(*code).into(), (*name).into(), (i as i32).into()]);
        }
        manager.exec_stmt(categories).await?;
        let mut regions = Query::insert();
        regions.into_table(Regions::Table).columns([
            Regions::Code,
            Regions::Name,
            Regions::SortOrder,
        ]);
        for (i, (code, name)) in REGIONS.iter().enumerate() {
            regions.values_panic([(*code).into(), (*name).into(), (i as i32).into()]);
        }
        manager.exec_stmt(regions).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Regions::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Categories::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Code,
    Name,
    SortOrder,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Code,
    Name,
    SortOrder,
}
