use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Full-text search over offers: a weighted `tsvector` with a GIN index on PostgreSQL, an
/// external-content FTS5 table kept in step by triggers on SQLite. Both stem English words
/// (Snowball on PostgreSQL, Porter on SQLite) and weight title over summary over description.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "ALTER TABLE offers ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
                        setweight(to_tsvector('english', title), 'A') ||
                        setweight(to_tsvector('english', summary), 'B') ||
                        setweight(to_tsvector('english', description), 'C')
                    ) STORED",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE INDEX ix_offers_search ON offers USING GIN (search_vector)",
                )
                .await?;
            }
            _ => {
                for statement in [
                    "CREATE VIRTUAL TABLE offers_fts USING fts5(title, summary, description, \
                     content='offers', content_rowid='rowid', tokenize='porter unicode61')",
                    "CREATE TRIGGER offers_fts_insert AFTER INSERT ON offers BEGIN \
                     INSERT INTO offers_fts(rowid, title, summary, description) \
                     VALUES (new.rowid, new.title, new.summary, new.description); END",
                    "CREATE TRIGGER offers_fts_delete AFTER DELETE ON offers BEGIN \
                     INSERT INTO offers_fts(offers_fts, rowid, title, summary, description) \
                     VALUES ('delete', old.rowid, old.title, old.summary, old.description); END",
                    "CREATE TRIGGER offers_fts_update AFTER UPDATE OF title, summary, description ON offers BEGIN \
                     INSERT INTO offers_fts(offers_fts, rowid, title, summary, description) \
                     VALUES ('delete', old.rowid, old.title, old.summary, old.description); \
                     INSERT INTO offers_fts(rowid, title, summary, description) \
                     VALUES (new.rowid, new.title, new.summary, new.description); END",
                ] {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared("DROP INDEX IF EXISTS ix_offers_search")
                    .await?;
                db.execute_unprepared("ALTER TABLE offers DROP COLUMN IF EXISTS search_vector")
                    .await?;
            }
            _ => {
                for statement in [
                    "DROP TRIGGER IF EXISTS offers_fts_update",
                    "DROP TRIGGER IF EXISTS offers_fts_delete",
                    "DROP TRIGGER IF EXISTS offers_fts_insert",
                    "DROP TABLE IF EXISTS offers_fts",
                ] {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        Ok(())
    }
}
