use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL only: the catalogue's equality filters (status, category, pricing unit, each
/// region served) as tags in a generated `text[]`, indexed in one GIN index together with the
/// text. A search's words and filters are then answered by one index scan whatever the words'
/// frequency, and its count needs no heap visit for all-visible pages. The composite B-tree
/// indexes in price order stay: for common words the planner still walks them for a first page.
/// SQLite's catalogue is small enough for its FTS5 table and B-trees; nothing changes there.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        // Region bits in the order the application defines them (1 << position); written out
        // here so that the migration stays frozen whatever the code later does.
        let regions: Vec<String> = (0..7)
            .map(|bit| {
                let value = 1 << bit;
                format!("CASE WHEN regions_mask & {value} <> 0 THEN 'r={value}' END")
            })
            .collect();
        db.execute_unprepared(&format!(
            "ALTER TABLE offers ADD COLUMN search_filters text[] GENERATED ALWAYS AS (
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
        // The new index answers text alone too; keeping both would double the write cost.
        db.execute_unprepared("DROP INDEX IF EXISTS ix_offers_search")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE INDEX IF NOT EXISTS ix_offers_search ON offers USING GIN (search_vector)",
        )
        .await?;
        db.execute_unprepared("DROP INDEX IF EXISTS ix_offers_search_filters")
            .await?;
        db.execute_unprepared("ALTER TABLE offers DROP COLUMN IF EXISTS search_filters")
            .await?;
        Ok(())
    }
}
