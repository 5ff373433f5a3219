//! Webhooks: where an organisation asks to be told of its notifications, and the rules that
//! keep the marketplace from being turned against its own network — an address must be https
//! (unless plain http is allowed), and must not lead to a loopback, private, link-local,
//! unique-local or cloud-metadata address (unless private addresses are allowed, as in tests).

use crate::bid::NotificationKind;
use crate::{DomainError, FieldError};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A webhook's address, parsed: scheme, host and port, ready to be resolved and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    url: String,
    host: String,
    port: u16,
}

impl WebhookUrl {
    /// Reads an address: `https://host[:port]/path` (or `http://` when `allow_http`), with no
    /// credentials in it, at most 2000 characters.
    pub fn parse(text: &str, allow_http: bool) -> Result<Self, DomainError> {
        let refuse = |detail: &str| DomainError::field("/url", detail);
        let text = text.trim();
        if text.chars().count() > 2000 {
            return Err(refuse("must be at most 2000 characters"));
        }
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| refuse("must be an https:// address"))?;
        let default_port = match scheme.to_ascii_lowercase().as_str() {
            "https" => 443,
            "http" if allow_http => 80,
            "http" => return Err(refuse("must be https: plain http is not allowed")),
            _ => return Err(refuse("must be an https:// address")),
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(refuse("must not carry a user name or password"));
        }
        if text.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(refuse("must not contain spaces or control characters"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| refuse("has an unclosed [ in its host"))?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(refuse("names no host"));
        }
        let port = match port {
            None | Some("") => default_port,
            Some(port) => port
                .parse()
                .map_err(|_| refuse("has a port that is not a number"))?,
        };
        Ok(Self {
            url: text.to_owned(),
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

/// Why an address may not be called, if it may not: a webhook must reach the public internet.
pub fn forbidden_address(address: IpAddr) -> Option<&'static str> {
    match address {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

fn forbidden_v4(v4: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = v4.octets();
    if v4 == Ipv4Addr::new(169, 254, 169, 254) {
        Some("a cloud metadata address")
    } else if v4.is_loopback() {
        Some("a loopback address")
    } else if v4.is_private() || (a == 100 && (64..128).contains(&b)) {
        Some("a private address")
    } else if v4.is_link_local() {
        Some("a link-local address")
    } else if v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() || a == 0 {
        Some("not a host's address")
    } else {
        None
    }
}

fn forbidden_v6(v6: Ipv6Addr) -> Option<&'static str> {
    let first = v6.segments()[0];
    if v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        Some("a cloud metadata address")
    } else if v6.is_loopback() {
        Some("a loopback address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a unique-local address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if v6.is_unspecified() || v6.is_multicast() {
        Some("not a host's address")
    } else {
        None
    }
}

/// The refusal of an address that leads somewhere a webhook may not go.
pub fn refuse_addresses(addresses: &[IpAddr], allow_private: bool) -> Result<(), DomainError> {
    if addresses.is_empty() {
        return Err(DomainError::field(
            "/url",
            "names a host that does not resolve",
        ));
    }
    if allow_private {
        return Ok(());
    }
    match addresses
        .iter()
        .find_map(|a| forbidden_address(*a).map(|why| (a, why)))
    {
        Some((address, why)) => Err(DomainError::field(
            "/url",
            format!("leads to {address}, {why}: a webhook must reach a public address"),
        )),
        None => Ok(()),
    }
}

/// The notification kinds a webhook asks for: at least one, each once.
pub fn events(codes: &[String]) -> Result<Vec<NotificationKind>, DomainError> {
    let mut kinds = Vec::new();
    let mut errors = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        match code.parse::<NotificationKind>() {
            Ok(kind) if kinds.contains(&kind) => {
                errors.push(FieldError::new(format!("/events/{i}"), "is listed twice"));
            }
            Ok(kind) => kinds.push(kind),
            Err(_) => errors.push(FieldError::new(
                format!("/events/{i}"),
                "is not a notification kind",
            )),
        }
    }
    if codes.is_empty() {
        errors.push(FieldError::new(
            "/events",
            "must name at least one notification kind",
        ));
    }
    if errors.is_empty() {
        Ok(kinds)
    } else {
        Err(DomainError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_must_be_https_without_credentials_unless_http_is_allowed() {
        let ok = WebhookUrl::parse("https://hooks.example.org:8443/in?x=1", false).unwrap();
        assert_eq!((ok.host(), ok.port()), ("hooks.example.org", 8443));
        assert_eq!(
            WebhookUrl::parse("https://[2001:db8::1]/x", false)
                .unwrap()
                .port(),
            443
        );
        for refused in [
            "http://hooks.example.org/in",
            "ftp://hooks.example.org/",
            "https://user:pass@hooks.example.org/",
            "https:///path",
            "hooks.example.org",
            "https://hooks.example.org:port/",
            "https://hooks.example.org/a b",
        ] {
            assert!(WebhookUrl::parse(refused, false).is_err(), "{refused}");
        }
        assert_eq!(
            WebhookUrl::parse("http://127.0.0.1:9000/in", true)
                .unwrap()
                .port(),
            9000
        );
    }

    #[test]
    fn loopback_private_link_local_unique_local_and_metadata_addresses_are_refused() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "169.254.10.1",
            "169.254.169.254",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
        ] {
            let address: IpAddr = refused.parse().unwrap();
            assert!(forbidden_address(address).is_some(), "{refused}");
            assert!(refuse_addresses(&[address], false).is_err());
            assert!(refuse_addresses(&[address], true).is_ok());
        }
        for allowed in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "8.8.8.8",
        ] {
            assert_eq!(
                forbidden_address(allowed.parse().unwrap()),
                None,
                "{allowed}"
            );
        }
        // One bad address among good ones is enough to refuse (a rebinding host).
        let mixed: Vec<IpAddr> = vec!["8.8.8.8".parse().unwrap(), "10.0.0.1".parse().unwrap()];
        assert!(refuse_addresses(&mixed, false).is_err());
        assert!(
            refuse_addresses(&[], true).is_err(),
            "a host that resolves to nothing"
        );
    }

    #[test]
    fn a_webhook_names_each_notification_kind_it_wants_once() {
        assert_eq!(
            events(&["bid_received".to_owned()]).unwrap(),
            [NotificationKind::BidReceived]
        );
        assert!(events(&[]).is_err());
        let twice = events(&["bid_received".to_owned(), "bid_received".to_owned()]);
        assert!(matches!(twice, Err(DomainError::Validation(e)) if e[0].pointer == "/events/1"));
        assert!(events(&["everything".to_owned()]).is_err());
    }
}
