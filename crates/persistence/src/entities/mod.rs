//! sea-orm entities: one module per table, mirroring the frozen migrations.

pub mod audit_events;
pub mod awards;
pub mod bank_holidays;
pub mod bid_exclusions;
pub mod bid_versions;
pub mod bids;
pub mod challenges;
pub mod clarifications;
pub mod contract_novations;
pub mod contracts;
pub mod login_failures;
pub mod notices;
pub mod notifications;
pub mod offer_prices;
pub mod offers;
pub mod organisation_identifiers;
pub mod organisations;
pub mod performance_reviews;
pub mod scores;
pub mod tender_amendments;
pub mod tender_criteria;
pub mod tender_evaluators;
pub mod tender_invitations;
pub mod tenders;
pub mod transfers;
pub mod users;
