//! Rate limits: token buckets per user and per organisation for whoever shows a token (bearer or
//! session cookie), and per client address for everyone else (public notices, OCDS, sign-in);
//! the assets and the health probes are never limited. A refusal is 429 problem details with
//! `Retry-After` and the IETF draft's `RateLimit-Policy` and `RateLimit` headers. Each replica
//! keeps its own buckets: with N replicas behind a proxy a client may get up to N times a limit.

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Requests a minute allowed to each user, organisation and client address (0: no limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    pub user_per_minute: u32,
    pub organisation_per_minute: u32,
    pub address_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` is believed: the client is the last address before them.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            user_per_minute: 1200,
            organisation_per_minute: 6000,
            address_per_minute: 600,
            trusted_proxies: Vec::new(),
        }
    }
}

impl RateLimits {
    /// No limits at all (the benchmarks measure the service, not its limiter).
    pub fn off() -> Self {
        Self {
            user_per_minute: 0,
            organisation_per_minute: 0,
            address_per_minute: 0,
            trusted_proxies: Vec::new(),
        }
    }
}

type Buckets<K> =
    RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// One policy: its name in the headers, its quota a minute, and its buckets.
struct Policy<K: Hash + Eq + Clone> {
    name: &'static str,
    per_minute: u32,
    buckets: Buckets<K>,
}

impl<K: Hash + Eq + Clone> Policy<K> {
    fn new(name: &'static str, per_minute: u32) -> Option<Self> {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute)?);
        Some(Self {
            name,
            per_minute,
            buckets: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
        })
    }

    /// Takes one token for `key`: what is left, or how many seconds until one is back.
    fn take(&self, key: &K, clock: &DefaultClock) -> Result<Outcome, Refusal> {
        match self.buckets.check_key(key) {
            Ok(state) => Ok(Outcome {
                policy: self.name,
                per_minute: self.per_minute,
                remaining: state.remaining_burst_capacity(),
            }),
            Err(not_until) => Err(Refusal {
                policy: self.name,
                per_minute: self.per_minute,
                retry_after_seconds: not_until.wait_time_from(clock.now()).as_secs() + 1,
            }),
        }
    }
}

struct Outcome {
    policy: &'static str,
    per_minute: u32,
    remaining: u32,
}

struct Refusal {
    policy: &'static str,
    per_minute: u32,
    retry_after_seconds: u64,
}

/// The limiter every request passes.
pub struct Limiter {
    users: Option<Policy<uuid::Uuid>>,
    organisations: Option<Policy<uuid::Uuid>>,
    addresses: Option<Policy<IpAddr>>,
    trusted_proxies: Vec<IpAddr>,
    sessions: Arc<service::sessions::Sessions>,
    clock: DefaultClock,
    seen: AtomicU64,
}

impl Limiter {
    pub fn new(limits: &RateLimits, sessions: Arc<service::sessions::Sessions>) -> Self {
        Self {
            users: Policy::new("user", limits.user_per_minute),
            organisations: Policy::new("organisation", limits.organisation_per_minute),
            addresses: Policy::new("address", limits.address_per_minute),
            trusted_proxies: limits.trusted_proxies.clone(),
            sessions,
            clock: DefaultClock::default(),
            seen: AtomicU64::new(0),
        }
    }

    /// The client's address: the peer, or behind a trusted proxy the last address it forwarded
    /// that is not itself a trusted proxy.
    fn client_address(&self, request: &Request) -> IpAddr {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        forwarded_for(request.headers())
            .into_iter()
            .rev()
            .find(|ip| !self.trusted_proxies.contains(ip))
            .unwrap_or(peer)
    }

    fn check(&self, request: &Request) -> Result<Option<Outcome>, Refusal> {
        // Forget buckets that are full again, now and then, so the maps stay small.
        if self.seen.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
            if let Some(p) = &self.users {
                p.buckets.retain_recent();
            }
            if let Some(p) = &self.organisations {
                p.buckets.retain_recent();
            }
            if let Some(p) = &self.addresses {
                p.buckets.retain_recent();
            }
        }
        let bearer = token_of(request.headers()).and_then(|t| self.sessions.bearer_of(t));
        match bearer {
            Some((user, organisation)) => {
                let mut tightest = None;
                if let Some(p) = &self.organisations {
                    tightest = Some(p.take(&organisation.as_uuid(), &self.clock)?);
                }
                if let Some(p) = &self.users {
                    let outcome = p.take(&user.as_uuid(), &self.clock)?;
                    if tightest
                        .as_ref()
                        .is_none_or(|t: &Outcome| outcome.remaining <= t.remaining)
                    {
                        tightest = Some(outcome);
                    }
                }
                Ok(tightest)
            }
            None => match &self.addresses {
                Some(p) => p.take(&self.client_address(request), &self.clock).map(Some),
                None => Ok(None),
            },
        }
    }
}

/// The bearer token, or the session cookie's.
fn token_of(headers: &HeaderMap) -> Option<&str> {
    if let Some(bearer) = api::auth::bearer_token(headers) {
        return Some(bearer);
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("mkt_session="))
}

fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|ip| ip.trim().parse().ok())
        .collect()
}

fn policy_header(name: &str, per_minute: u32) -> Option<HeaderValue> {
    HeaderValue::from_str(&format!("\"{name}\";q={per_minute};w=60")).ok()
}

pub async fn rate_limit(
    State(limiter): State<Arc<Limiter>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/assets/") || path == "/healthz" || path == "/readyz" {
        return next.run(request).await;
    }
    match limiter.check(&request) {
        Ok(outcome) => {
            let mut response = next.run(request).await;
            if let Some(o) = outcome {
                let headers = response.headers_mut();
                if let Some(policy) = policy_header(o.policy, o.per_minute) {
                    headers.insert("ratelimit-policy", policy);
                }
                if let Ok(state) =
                    HeaderValue::from_str(&format!("\"{}\";r={}", o.policy, o.remaining))
                {
                    headers.insert("ratelimit", state);
                }
            }
            response
        }
        Err(refusal) => {
            tracing::info!(policy = refusal.policy, "rate limit refused a request");
            metrics::counter!(crate::metrics::RATE_LIMIT_REFUSALS, "policy" => refusal.policy)
                .increment(1);
            let mut response = api::error::ApiError::TooManyRequests {
                detail: format!(
                    "Too many requests: at most {} a minute per {}. Try again in {} s.",
                    refusal.per_minute, refusal.policy, refusal.retry_after_seconds
                ),
                retry_after_seconds: refusal.retry_after_seconds,
            }
            .into_response();
            let headers = response.headers_mut();
            if let Some(policy) = policy_header(refusal.policy, refusal.per_minute) {
                headers.insert("ratelimit-policy", policy);
            }
            if let Ok(state) = HeaderValue::from_str(&format!(
                "\"{}\";r=0;t={}",
                refusal.policy, refusal.retry_after_seconds
            )) {
                headers.insert("ratelimit", state);
            }
            response
        }
    }
}
