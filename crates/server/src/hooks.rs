//! The HTTP client behind the service's webhook [`Transport`] port: one request at a time,
//! connected only to the addresses the service checked (so a name cannot be rebound between
//! the check and the connection), following no redirect, within ten seconds.

use futures_util::future::{BoxFuture, FutureExt};
use service::webhooks::{Request, Transport};
use std::net::SocketAddr;

/// Sends webhook requests with reqwest over rustls.
#[derive(Debug, Default)]
pub struct HttpTransport;

impl HttpTransport {
    async fn deliver(&self, request: &Request) -> Result<u16, String> {
        crate::objects::install_tls_provider();
        let pinned: Vec<SocketAddr> = request
            .addresses
            .iter()
            .map(|ip| SocketAddr::new(*ip, request.port))
            .collect();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .resolve_to_addrs(&request.host, &pinned)
            .build()
            .map_err(|e| format!("the HTTP client could not be built: {e}"))?;
        let mut post = client.post(&request.url).body(request.body.clone());
        for (name, value) in &request.headers {
            post = post.header(name, value);
        }
        let response = post.send().await.map_err(|e| {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        })?;
        Ok(response.status().as_u16())
    }
}

impl Transport for HttpTransport {
    fn post<'a>(&'a self, request: &'a Request) -> BoxFuture<'a, Result<u16, String>> {
        self.deliver(request).boxed()
    }
}
