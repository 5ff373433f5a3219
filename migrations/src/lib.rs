//! Schema migrations, hand-written and frozen: each defines its own identifiers and never imports
//! entities, so later changes to the code cannot rewrite history. Every migration has a `down`.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_organisations;
mod m20261122_000002_create_users;
mod m20261122_000003_create_audit_events;
mod m20261122_000004_create_login_failures;
mod m20261122_000005_create_reference_data;
mod m20261122_000006_create_offers;
mod m20261122_000007_create_offer_search;
mod m20261122_000008_add_offer_search_filters;
mod m20261122_000009_replace_offer_search_filters;
mod m20261122_000010_create_tenders;
mod m20261122_000011_create_evaluation;
mod m20261122_000012_create_transfers;
mod m20261202_000013_add_authority_types;
mod m20261202_000014_create_notices;
mod m20261203_000015_create_procedures;
mod m20261203_000016_create_lots;
mod m20261203_000017_create_frameworks;
mod m20261203_000018_create_call_offs;
mod m20261204_000019_create_idempotency_keys;
mod m20261206_000020_create_documents;
mod m20261206_000021_create_email_deliveries;
mod m20261206_000022_create_webhooks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_organisations::Migration),
            Box::new(m20261122_000002_create_users::Migration),
            Box::new(m20261122_000003_create_audit_events::Migration),
            Box::new(m20261122_000004_create_login_failures::Migration),
            Box::new(m20261122_000005_create_reference_data::Migration),
            Box::new(m20261122_000006_create_offers::Migration),
            Box::new(m20261122_000007_create_offer_search::Migration),
            Box::new(m20261122_000008_add_offer_search_filters::Migration),
            Box::new(m20261122_000009_replace_offer_search_filters::Migration),
            Box::new(m20261122_000010_create_tenders::Migration),
            Box::new(m20261122_000011_create_evaluation::Migration),
            Box::new(m20261122_000012_create_transfers::Migration),
            Box::new(m20261202_000013_add_authority_types::Migration),
            Box::new(m20261202_000014_create_notices::Migration),
            Box::new(m20261203_000015_create_procedures::Migration),
            Box::new(m20261203_000016_create_lots::Migration),
            Box::new(m20261203_000017_create_frameworks::Migration),
            Box::new(m20261203_000018_create_call_offs::Migration),
            Box::new(m20261204_000019_create_idempotency_keys::Migration),
            Box::new(m20261206_000020_create_documents::Migration),
            Box::new(m20261206_000021_create_email_deliveries::Migration),
            Box::new(m20261206_000022_create_webhooks::Migration),
        ]
    }
}
