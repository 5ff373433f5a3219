//! Pure business rules of the commissioning support marketplace.
//!
//! Nothing in this crate talks to the web or to a database: values that have rules are parsed into
//! newtypes here, decisions about who may do what are made here, and the audit chain's hashing
//! lives here so every storage backend computes it the same way.

#[macro_use]
mod code;

pub mod access;
pub mod audit;
pub mod bid;
pub mod calendar;
pub mod contract;
pub mod document;
pub mod error;
pub mod evaluation;
pub mod framework;
pub mod ids;
pub mod market;
pub mod money;
pub mod notice;
pub mod offer;
pub mod organisation;
pub mod pagination;
pub mod participation;
pub mod procurement;
pub mod tender;
pub mod transfer;
pub mod user;
pub mod webhook;

pub use error::{DomainError, FieldError};
