//! sea-orm entities: one module per table, mirroring the frozen migrations.

pub mod audit_events;
pub mod categories;
pub mod login_failures;
pub mod offer_prices;
pub mod offers;
pub mod organisations;
pub mod regions;
pub mod users;
