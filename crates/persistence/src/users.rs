//! User accounts: insert, read, list, change role or active flag.

use crate::StoreError;
use crate::entities::users::{self, Column, Entity};
use chrono::{DateTime, Utc};
use domain::ids::{OrganisationId, UserId};
use domain::pagination::{Page, PageRequest};
use domain::user::{EmailAddress, PersonName, Role, User};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};

fn to_domain(model: users::Model) -> Result<User, StoreError> {
    Ok(User {
        id: UserId::from_uuid(model.id),
        role: model
            .role
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("user {}: role", model.id)))?,
        email: model.email,
        name: model.name,
        organisation_id: OrganisationId::from_uuid(model.organisation_id),
        password_hash: model.password_hash,
        active: model.active,
        email_notifications: model.email_notifications,
        created_at: model.created_at,
        updated_at: model.updated_at,
    })
}

/// What a new account is made of, once the password is hashed.
#[derive(Debug)]
pub struct UserRecord<'a> {
    pub email: &'a EmailAddress,
    pub name: &'a PersonName,
    pub role: Role,
    pub organisation_id: OrganisationId,
    pub password_hash: &'a str,
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    record: UserRecord<'_>,
    now: DateTime<Utc>,
) -> Result<User, StoreError> {
    let model = users::ActiveModel {
        id: Set(UserId::new().as_uuid()),
        email: Set(record.email.as_str().to_owned()),
        name: Set(record.name.as_str().to_owned()),
        role: Set(record.role.as_str().to_owned()),
        organisation_id: Set(record.organisation_id.as_uuid()),
        password_hash: Set(record.password_hash.to_owned()),
        active: Set(true),
        email_notifications: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(|e| StoreError::unique_as(e, "/email", "a user with this email already exists"))?;
    to_domain(model)
}

pub async fn find(conn: &impl ConnectionTrait, id: UserId) -> Result<Option<User>, StoreError> {
    crate::one_as(conn, Entity::find_by_id(id.as_uuid()), to_domain).await
}

pub async fn get(conn: &impl ConnectionTrait, id: UserId) -> Result<User, StoreError> {
    find(conn, id).await?.ok_or(StoreError::NotFound("user"))
}

pub async fn find_by_email(
    conn: &impl ConnectionTrait,
    email: &EmailAddress,
) -> Result<Option<User>, StoreError> {
    crate::one_as(
        conn,
        Entity::find().filter(Column::Email.eq(email.as_str())),
        to_domain,
    )
    .await
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub organisation_id: Option<OrganisationId>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &UserFilter,
    page: PageRequest,
) -> Result<Page<User>, StoreError> {
    let mut query = Entity::find();
    if let Some(org) = filter.organisation_id {
        query = query.filter(Column::OrganisationId.eq(org.as_uuid()));
    }
    if let Some(role) = filter.role {
        query = query.filter(Column::Role.eq(role.as_str()));
    }
    if let Some(active) = filter.active {
        query = query.filter(Column::Active.eq(active));
    }
    crate::fetch_page(conn, query.order_by_asc(Column::Email), page, to_domain).await
}

/// A change to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Copy, Default)]
pub struct UserChange {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

pub async fn update(
    conn: &impl ConnectionTrait,
    id: UserId,
    change: UserChange,
    now: DateTime<Utc>,
) -> Result<User, StoreError> {
    let model = Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound("user"))?;
    let mut active: users::ActiveModel = model.into();
    if let Some(role) = change.role {
        active.role = Set(role.as_str().to_owned());
    }
    if let Some(flag) = change.active {
        active.active = Set(flag);
    }
    active.updated_at = Set(now);
    to_domain(active.update(conn).await?)
}

/// Turns the user's notification emails on or off.
pub async fn set_email_notifications(
    conn: &impl ConnectionTrait,
    id: UserId,
    on: bool,
    now: DateTime<Utc>,
) -> Result<User, StoreError> {
    Entity::update_many()
        .col_expr(
            users::Column::EmailNotifications,
            sea_orm::sea_query::Expr::value(on),
        )
        .col_expr(
            users::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(users::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    get(conn, id).await
}
