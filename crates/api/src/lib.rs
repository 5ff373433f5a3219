//! The HTTP face of the marketplace: axum handlers, authentication, problem details, the OpenAPI
//! contract, web pages, demo data, and the `marketplace` command line.

pub mod app;
pub mod auth;
pub mod cli;
pub mod concurrency;
pub mod csv;
pub mod demo;
pub mod dto;
pub mod error;
pub mod extract;
pub mod openapi;
pub mod routes;
pub mod state;
pub mod web;
