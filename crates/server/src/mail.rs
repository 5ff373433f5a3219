//! The SMTP client behind the service's [`Mailer`] port (lettre, over rustls), configured by one
//! URL: `smtp://user:pass@host:587` (STARTTLS required), `smtps://user:pass@host:465` (TLS from
//! the first byte), or `smtp://host:port?tls=none` for a local relay that speaks plain SMTP.

use futures_util::future::{BoxFuture, FutureExt};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use service::email::{Email, Mailer};

/// Sends through one SMTP server, from one address.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The server, for the log (no credentials).
    server: String,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl SmtpMailer {
    /// The mailer `url` names, sending from `from` (`Name <address>` or an address).
    pub fn from_url(url: &str, from: &str) -> Result<Self, String> {
        crate::objects::install_tls_provider();
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| format!("{url:?} is not an SMTP URL: give smtp:// or smtps://"))?;
        let (authority, query) = rest.split_once('?').unwrap_or((rest, ""));
        let authority = authority.trim_end_matches('/');
        let (credentials, host_port) = match authority.rsplit_once('@') {
            Some((userinfo, host)) => (Some(userinfo), host),
            None => (None, authority),
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (
                host,
                Some(
                    port.parse::<u16>()
                        .map_err(|_| format!("the SMTP port {port:?} is not a number"))?,
                ),
            ),
            None => (host_port, None),
        };
        if host.is_empty() {
            return Err("the SMTP URL names no host".to_owned());
        }
        let plain = query.split('&').any(|p| p == "tls=none");
        let builder = match (scheme, plain) {
            ("smtp", true) => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                .port(port.unwrap_or(25)),
            ("smtp", false) => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| format!("SMTP server {host}: {e}"))?
                .port(port.unwrap_or(587)),
            ("smtps", _) => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| format!("SMTP server {host}: {e}"))?
                .port(port.unwrap_or(465)),
            (other, _) => return Err(format!("{other}:// is not SMTP: give smtp:// or smtps://")),
        };
        let builder = match credentials {
            Some(userinfo) => {
                let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
                builder.credentials(Credentials::new(
                    percent_decoded(user),
                    percent_decoded(password),
                ))
            }
            None => builder,
        };
        let from: Mailbox = from
            .parse()
            .map_err(|e| format!("MARKETPLACE_MAIL_FROM {from:?} is not an address: {e}"))?;
        Ok(Self {
            transport: builder
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build(),
            from,
            server: format!(
                "{scheme}://{host}{}{}",
                port.map(|p| format!(":{p}")).unwrap_or_default(),
                if plain { " (no TLS)" } else { "" }
            ),
        })
    }

    /// Where it sends, for the log.
    pub fn server(&self) -> &str {
        &self.server
    }

    async fn deliver(&self, email: &Email) -> Result<(), String> {
        let to = Mailbox::new(
            Some(email.to_name.clone()).filter(|n| !n.is_empty()),
            email
                .to
                .parse()
                .map_err(|e| format!("the address {:?}: {e}", email.to))?,
        );
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&email.subject)
            .message_id(Some(email.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| format!("the message could not be built: {e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, email: &'a Email) -> BoxFuture<'a, Result<(), String>> {
        self.deliver(email).boxed()
    }
}
