use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL only: the catalogue's one GIN index now holds the text, the category, the pricing
/// unit and the regions served as they are (the category and unit through `btree_gin`, the
/// regions as a generated `smallint[]` of region bits), in place of migration 8's `text[]` of
/// tags. Each filter is then written once, as a plain condition, so the planner estimates it
/// once: the tags duplicated the column conditions, the planner multiplied their selectivities
/// and chose sorts over millions of rows. The status stays out of the index: nearly every offer
/// is published, and its posting list made every probe read a million entries.
/// `btree_gin` ships with PostgreSQL and is a trusted extension (a database owner may create it).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gin")
            .await?;
        // Region bits in the order the application defines them (1 << position); written out so
        // that the migration stays frozen whatever the code later does.
        let bits: Vec<String> = (0..7)
            .map(|bit| {
                let value = 1 << bit;
                format!("CASE WHEN regions_mask & {value} <> 0 THEN {value} END")
            })
            .collect();
        db.execute_unprepared(&format!(
            "ALTER TABLE offers DROP COLUMN IF EXISTS search_filters,
                ADD COLUMN region_bits smallint[] GENERATED ALWAYS AS (
                    array_remove(ARRAY[{}], NULL)::smallint[]
                ) STORED",
            bits.join(", ")
        ))
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_offers_search ON offers
                USING GIN (search_vector, category_code, pricing_unit, region_bits)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX IF EXISTS ix_offers_search")
            .await?;
        let regions: Vec<String> = (0..7)
            .map(|bit| {
                let value = 1 << bit;
                format!("CASE WHEN regions_mask & {value} <> 0 THEN 'r={value}' END")
            })
            .collect();
        db.execute_unprepared(&format!(
            "ALTER TABLE offers DROP COLUMN IF EXISTS region_bits,
                ADD COLUMN search_filters text[] GENERATED ALWAYS AS (
                    ARRAY['s=' || status, 'c=' || category_code, 'u=' || pricing_unit]
                    || array_remove(ARRAY[{}], NULL)
                ) STORED",
            regions.join(", ")
        ))
        .await?;
        db.execute_unprepared(
            "CREATE INDEX ix_offers_search_filters ON offers USING GIN (search_vector, search_filters)",
        )
        .await?;
        // Only this migration used btree_gin; without CASCADE this fails rather than drop
        // something else that came to depend on it.
        db.execute_unprepared("DROP EXTENSION IF EXISTS btree_gin")
            .await?;
        Ok(())
    }
}
