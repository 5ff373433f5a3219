//! sea-orm entities: one module per table, mirroring the frozen migrations.

pub mod audit_events;
pub mod login_failures;
pub mod organisations;
pub mod users;
