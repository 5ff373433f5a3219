//! Every end-to-end test of the marketplace in one binary, a module per area, so the suite
//! links once. Each test starts the real router on `127.0.0.1:0` against a fresh database
//! (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set). The browser tests are a second
//! binary (`browser.rs`).

mod admin;
mod architecture;
mod audit;
mod auth;
mod bids;
mod contract;
mod contracts;
mod database;
mod demo_tenders;
mod documents;
mod email;
mod errors;
mod evaluation;
mod frameworks;
mod headers;
mod idempotency;
mod lots;
mod market;
mod notices;
mod ocds;
mod offers;
mod procedures;
mod procurement_act;
mod rate_limits;
mod replicas;
mod tenders;
mod unavailable;
mod web;
mod web_documents;
mod web_frameworks;
mod webhooks;
