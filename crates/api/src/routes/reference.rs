//! Reference data: the service categories and NHS England regions requests refer to by code.

use crate::auth::AuthUser;
use crate::error::{ApiError, Unauthorized};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

/// A reference item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceItem {
    /// The code requests use.
    pub code: String,
    /// The name people read.
    pub name: String,
}

/// A list of reference items.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceList {
    /// Every item, in display order.
    pub items: Vec<ReferenceItem>,
}

fn list(items: Vec<persistence::reference::ReferenceItem>) -> Json<ReferenceList> {
    Json(ReferenceList {
        items: items
            .into_iter()
            .map(|i| ReferenceItem {
                code: i.code,
                name: i.name,
            })
            .collect(),
    })
}

/// The service categories offers and tenders are filed under.
#[utoipa::path(
    get,
    path = "/categories",
    tag = "catalogue",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every category.", body = ReferenceList),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn list_categories(
    State(state): State<AppState>,
    AuthUser(_actor): AuthUser,
) -> Result<Json<ReferenceList>, ApiError> {
    Ok(list(service::reference::categories(&state.ctx).await?))
}

/// The seven NHS England regions.
#[utoipa::path(
    get,
    path = "/regions",
    tag = "catalogue",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every region.", body = ReferenceList),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn list_regions(
    State(state): State<AppState>,
    AuthUser(_actor): AuthUser,
) -> Result<Json<ReferenceList>, ApiError> {
    Ok(list(service::reference::regions(&state.ctx).await?))
}
