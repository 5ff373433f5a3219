//! sea-orm entities: one module per table, mirroring the frozen migrations.

pub mod audit_events;
pub mod bid_versions;
pub mod bids;
pub mod categories;
pub mod clarifications;
pub mod login_failures;
pub mod notifications;
pub mod offer_prices;
pub mod offers;
pub mod organisations;
pub mod regions;
pub mod tender_amendments;
pub mod tender_criteria;
pub mod tender_invitations;
pub mod tenders;
pub mod users;
