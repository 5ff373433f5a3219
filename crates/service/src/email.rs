//! Notification emails: every notification is queued as an email to each active user of its
//! organisation who has not turned them off, in the notification's own transaction; a sender in
//! every replica claims the due ones (one sender per email), sends them through the [`Mailer`]
//! port the server provides (SMTP), and retries with backoff for a day. An email says what the
//! notification says — never a bid's content — with a link to the page.

use crate::{Ctx, ServiceError};
use chrono::Duration;
use domain::access::Actor;
use domain::user::User;
use futures_util::future::BoxFuture;
use persistence::email::{Attempt, Due};

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Unique to the notification and the recipient: the message's id, so that a resent copy
    /// is known as the same message.
    pub message_id: String,
}

/// Where emails go out: the server's SMTP client.
pub trait Mailer: std::fmt::Debug + Send + Sync {
    /// Sends one message; the error says why it was not accepted.
    fn send<'a>(&'a self, email: &'a Email) -> BoxFuture<'a, Result<(), String>>;
}

/// How long a sender holds the emails it claimed before another may take them over.
const LEASE_SECONDS: i64 = 120;
/// How long an email is tried before it is given up on.
const GIVE_UP_AFTER_HOURS: i64 = 24;

/// The wait before attempt `attempts + 1`: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.clamp(0, 20)).unwrap_or(0);
    Duration::seconds((30_i64 << doublings).min(3600))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The message of a due email: the notification's subject and body, and a link to the page.
pub fn compose(due: &Due, links: &str, domain: &str) -> Email {
    let page = match due.tender_id {
        Some(tender) => format!("{links}/tenders/{tender}"),
        None => format!("{links}/notifications"),
    };
    let text = format!(
        "{}\n\n{}\n\nOpen it in the marketplace: {page}\n\n-- \nCommissioning Support \
         Marketplace. You receive these emails because notification emails are on for your \
         account; turn them off on your notifications page ({links}/notifications).\n",
        due.subject, due.body
    );
    let paragraphs: String = due
        .body
        .split('\n')
        .filter(|line| !line.trim().is_empty())
        .map(|line| format!("<p style=\"margin:0 0 16px\">{}</p>", escape(line)))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body style=\"margin:0;background:#f0f4f5;font-family:Arial,sans-serif;color:#212b32\">\
         <div style=\"background:#005eb8;color:#ffffff;padding:16px 24px;font-weight:bold\">\
         Commissioning Support Marketplace</div>\
         <div style=\"background:#ffffff;margin:24px;padding:24px\">\
         <h1 style=\"font-size:24px;margin:0 0 16px\">{subject}</h1>{paragraphs}\
         <p style=\"margin:24px 0 0\"><a href=\"{page}\" style=\"color:#005eb8\">Open it in the marketplace</a></p>\
         </div><p style=\"margin:0 24px 24px;font-size:14px;color:#4c6272\">You receive these emails \
         because notification emails are on for your account; turn them off on \
         <a href=\"{links}/notifications\" style=\"color:#005eb8\">your notifications page</a>.</p></body></html>",
        subject = escape(&due.subject),
        page = escape(&page),
        links = escape(links),
    );
    Email {
        to: due.email.clone(),
        to_name: due.name.clone(),
        subject: due.subject.clone(),
        text,
        html,
        message_id: format!("<{}.{}@{domain}>", due.notification_id, due.user_id),
    }
}

/// Sends the emails due now (up to `limit`), claimed so that no other sender sends them too;
/// how many were sent.
pub async fn deliver_due(
    ctx: &Ctx,
    mailer: &dyn Mailer,
    limit: u64,
) -> Result<usize, ServiceError> {
    let claimed = {
        let command = ctx.command().await?;
        let now = command.now();
        let due = persistence::email::claim(
            command.conn(),
            now,
            limit,
            now + Duration::seconds(LEASE_SECONDS),
        )
        .await?;
        command.commit().await?;
        due
    };
    let domain = ctx
        .links()
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split([':', '/']).next())
        .unwrap_or("marketplace")
        .to_owned();
    let mut sent = 0;
    for due in claimed {
        let email = compose(&due, ctx.links(), &domain);
        let outcome = mailer.send(&email).await;
        let now = ctx.now().await?;
        let attempt = match outcome {
            Ok(()) => {
                sent += 1;
                Attempt::Sent
            }
            Err(error) => {
                let retry_at = now + backoff(due.attempts);
                if retry_at > due.queued_at + Duration::hours(GIVE_UP_AFTER_HOURS) {
                    Attempt::GaveUp { error }
                } else {
                    Attempt::Retry { error, retry_at }
                }
            }
        };
        persistence::email::record(ctx.db().conn(), &due, &attempt, now).await?;
    }
    Ok(sent)
}

/// Turns the signed-in user's notification emails on or off.
pub async fn set_preference(ctx: &Ctx, actor: &Actor, on: bool) -> Result<User, ServiceError> {
    let command = ctx.command().await?;
    let before = persistence::users::get(command.conn(), actor.user_id).await?;
    let after = persistence::users::set_email_notifications(
        command.conn(),
        actor.user_id,
        on,
        command.now(),
    )
    .await?;
    command
        .audit(
            domain::audit::AuditEntry::by(
                actor,
                "user.email_notifications_set",
                "user",
                actor.user_id,
            )
            .before(serde_json::json!({"email_notifications": before.email_notifications}))
            .after(serde_json::json!({"email_notifications": after.email_notifications})),
        )
        .await?;
    command.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(body: &str) -> Due {
        Due {
            notification_id: uuid::Uuid::nil(),
            user_id: domain::ids::UserId::from_uuid(uuid::Uuid::nil()),
            email: "lead@example.nhs.uk".to_owned(),
            name: "A Lead".to_owned(),
            kind: domain::bid::NotificationKind::BidReceived,
            tender_id: Some(domain::ids::TenderId::from_uuid(uuid::Uuid::nil())),
            subject: "Bid received: <Payroll>".to_owned(),
            body: body.to_owned(),
            attempts: 0,
            queued_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_wait_doubles_from_thirty_seconds_to_at_most_an_hour() {
        let waits: Vec<i64> = (0..9).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }

    #[test]
    fn an_email_says_what_the_notification_says_links_to_its_page_and_escapes_its_html() {
        let email = compose(
            &due("Line one\nLine <two>"),
            "https://m.example",
            "m.example",
        );
        assert!(email.text.contains("Line one\nLine <two>"));
        assert!(
            email
                .text
                .contains("https://m.example/tenders/00000000-0000-0000-0000-000000000000")
        );
        assert!(email.html.contains("Line &lt;two&gt;") && !email.html.contains("<two>"));
        assert!(email.html.contains("#005eb8"), "NHS blue");
        assert_eq!(
            email.message_id,
            "<00000000-0000-0000-0000-000000000000.00000000-0000-0000-0000-000000000000@m.example>"
        );
    }
}
