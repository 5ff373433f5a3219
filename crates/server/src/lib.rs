//! The `marketplace` binary's library: the command line and its configuration, the API and web
//! routers assembled behind one set of layers, and the demo loader (which calls the service like
//! any other client), and the background workers.

pub mod app;
pub mod cli;
pub mod demo;
pub mod headers;
pub mod hooks;
pub mod mail;
pub mod metrics;
pub mod objects;
pub mod rate_limit;
pub mod workers;
