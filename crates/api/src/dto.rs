//! Response and shared request types of the HTTP API, with their OpenAPI schemas. Domain types
//! stay free of web concerns; these mirror them at the edge.

use chrono::{DateTime, Utc};
use domain::organisation::{Organisation, OrganisationKind, Region};
use domain::pagination::Page;
use domain::user::{Role, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `mirror_enum!(Dto as SchemaName mirrors domain::Type { Variant = "code", … })`: a domain enum
/// as the API sends it, with its OpenAPI schema and conversions both ways.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $dto:ident as $schema:ident mirrors $domain:ty {
        $($(#[$vmeta:meta])* $variant:ident = $code:tt),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[schema(as = $schema)]
        pub enum $dto {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant),+
        }

        impl From<$dto> for $domain {
            fn from(value: $dto) -> Self {
                match value {
                    $($dto::$variant => Self::$variant),+
                }
            }
        }

        impl From<$domain> for $dto {
            fn from(value: $domain) -> Self {
                type Domain = $domain;
                match value {
                    $(Domain::$variant => Self::$variant),+
                }
            }
        }
    };
}

mirror_enum!(
    /// A buyer's kind of contracting authority, which decides its threshold under the
    /// Procurement Act 2023 (Schedule 1): a central government authority (listed in the
    /// Procurement Regulations 2024, such as NHS England) or any other (sub-central, such as an
    /// integrated care board).
    AuthorityTypeDto as AuthorityType mirrors domain::procurement::AuthorityType {
        CentralGovernment = "central_government",
        SubCentral = "sub_central",
    }
);

mirror_enum!(
    /// The register an organisation identifier comes from (org-id.guide codes).
    IdentifierSchemeDto as IdentifierScheme mirrors domain::organisation::IdentifierScheme {
        /// The NHS Organisation Data Service (the ODS code).
        Nhs = "GB-NHS",
        /// Companies House (8 digits, or 2 letters and 6 digits).
        CompaniesHouse = "GB-COH",
        /// The Charity Commission for England and Wales (6 or 7 digits).
        CharityCommission = "GB-CHC",
        /// The Central Digital Platform's Public Procurement Organisation Number (`PXKN-4562-RTHM`).
        Ppon = "GB-PPON",
    }
);

/// An organisation's entry in a public register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = OrganisationIdentifier)]
pub struct IdentifierDto {
    /// The register.
    pub scheme: IdentifierSchemeDto,
    /// The organisation's number or code in it (held in upper case).
    #[schema(min_length = 1, max_length = 40, example = "QOP")]
    pub id: String,
}

impl IdentifierDto {
    /// Identifiers as sent, for the service.
    pub fn inputs(identifiers: &[Self]) -> Vec<(domain::organisation::IdentifierScheme, String)> {
        identifiers
            .iter()
            .map(|i| (i.scheme.into(), i.id.clone()))
            .collect()
    }
}

/// What an organisation is: it decides which roles its users may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OrganisationKind)]
pub enum OrganisationKindDto {
    Buyer,
    Supplier,
    Regulator,
    Platform,
}

impl From<OrganisationKindDto> for OrganisationKind {
    fn from(kind: OrganisationKindDto) -> Self {
        match kind {
            OrganisationKindDto::Buyer => Self::Buyer,
            OrganisationKindDto::Supplier => Self::Supplier,
            OrganisationKindDto::Regulator => Self::Regulator,
            OrganisationKindDto::Platform => Self::Platform,
        }
    }
}

impl From<OrganisationKind> for OrganisationKindDto {
    fn from(kind: OrganisationKind) -> Self {
        match kind {
            OrganisationKind::Buyer => Self::Buyer,
            OrganisationKind::Supplier => Self::Supplier,
            OrganisationKind::Regulator => Self::Regulator,
            OrganisationKind::Platform => Self::Platform,
        }
    }
}

/// One of the seven NHS England regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Region)]
pub enum RegionDto {
    NorthEastAndYorkshire,
    NorthWest,
    Midlands,
    EastOfEngland,
    London,
    SouthEast,
    SouthWest,
}

impl From<RegionDto> for Region {
    fn from(region: RegionDto) -> Self {
        match region {
            RegionDto::NorthEastAndYorkshire => Self::NorthEastAndYorkshire,
            RegionDto::NorthWest => Self::NorthWest,
            RegionDto::Midlands => Self::Midlands,
            RegionDto::EastOfEngland => Self::EastOfEngland,
            RegionDto::London => Self::London,
            RegionDto::SouthEast => Self::SouthEast,
            RegionDto::SouthWest => Self::SouthWest,
        }
    }
}

impl From<Region> for RegionDto {
    fn from(region: Region) -> Self {
        match region {
            Region::NorthEastAndYorkshire => Self::NorthEastAndYorkshire,
            Region::NorthWest => Self::NorthWest,
            Region::Midlands => Self::Midlands,
            Region::EastOfEngland => Self::EastOfEngland,
            Region::London => Self::London,
            Region::SouthEast => Self::SouthEast,
            Region::SouthWest => Self::SouthWest,
        }
    }
}

/// A user's role; it must fit the kind of the user's organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Role)]
pub enum RoleDto {
    BuyerLead,
    BuyerEvaluator,
    SupplierBidder,
    Regulator,
    Admin,
}

impl From<RoleDto> for Role {
    fn from(role: RoleDto) -> Self {
        match role {
            RoleDto::BuyerLead => Self::BuyerLead,
            RoleDto::BuyerEvaluator => Self::BuyerEvaluator,
            RoleDto::SupplierBidder => Self::SupplierBidder,
            RoleDto::Regulator => Self::Regulator,
            RoleDto::Admin => Self::Admin,
        }
    }
}

impl From<Role> for RoleDto {
    fn from(role: Role) -> Self {
        match role {
            Role::BuyerLead => Self::BuyerLead,
            Role::BuyerEvaluator => Self::BuyerEvaluator,
            Role::SupplierBidder => Self::SupplierBidder,
            Role::Regulator => Self::Regulator,
            Role::Admin => Self::Admin,
        }
    }
}

/// An organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Organisation)]
pub struct OrganisationResponse {
    /// The organisation's id.
    pub id: Uuid,
    /// Its name.
    pub name: String,
    /// Buyer (CCG/ICB), supplier (CSU or other), regulator or platform.
    pub kind: OrganisationKindDto,
    /// Its Organisation Data Service code, in upper case, if it has one.
    pub ods_code: Option<String>,
    /// The NHS England region it sits in, if any.
    pub region: Option<RegionDto>,
    /// A buyer's kind of contracting authority (null for any other kind of organisation).
    pub authority_type: Option<AuthorityTypeDto>,
    /// Its entries in public registers (the ODS code as `GB-NHS`); empty when it is on none.
    pub identifiers: Vec<IdentifierDto>,
    /// The organisation that succeeded it (an ICB after a CCG, the acquirer of a merged CSU).
    pub successor_id: Option<Uuid>,
    /// When it was registered (UTC, RFC 3339).
    pub created_at: DateTime<Utc>,
    /// When it last changed (UTC, RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl From<Organisation> for OrganisationResponse {
    fn from(org: Organisation) -> Self {
        Self {
            id: org.id.as_uuid(),
            name: org.name,
            kind: org.kind.into(),
            ods_code: org.ods_code,
            region: org.region.map(Into::into),
            authority_type: org.authority_type.map(Into::into),
            identifiers: org
                .identifiers
                .into_iter()
                .map(|i| IdentifierDto {
                    scheme: i.scheme.into(),
                    id: i.id,
                })
                .collect(),
            successor_id: org.successor_id.map(|id| id.as_uuid()),
            created_at: org.created_at,
            updated_at: org.updated_at,
        }
    }
}

/// A user account. The password hash is never returned.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = User)]
pub struct UserResponse {
    /// The user's id.
    pub id: Uuid,
    /// Email address, in lower case; unique.
    pub email: String,
    /// Display name.
    pub name: String,
    /// What the user may do.
    pub role: RoleDto,
    /// The organisation the user belongs to.
    pub organisation_id: Uuid,
    /// Whether the user may sign in.
    pub active: bool,
    /// When the account was created (UTC, RFC 3339).
    pub created_at: DateTime<Utc>,
    /// When it last changed (UTC, RFC 3339).
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id.as_uuid(),
            email: user.email,
            name: user.name,
            role: user.role.into(),
            organisation_id: user.organisation_id.as_uuid(),
            active: user.active,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// One page of a list; every paginated list in the API has this shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T: ToSchema> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items match in all. A catalogue search counts exactly up to a limit (1,000 by
    /// default); when more match, `total` is that limit and `total_exact` is false.
    pub total: u64,
    /// Whether `total` is the exact number of matches (false: more than `total` match).
    pub total_exact: bool,
    /// This page's number, from 1.
    pub page: u64,
    /// The page size asked for (at most 100).
    pub per_page: u64,
}

impl<T: ToSchema> Paginated<T> {
    pub fn from_page<D>(page: Page<D>, f: impl FnMut(D) -> T) -> Self {
        let page = page.map(f);
        Self {
            items: page.items,
            total: page.total,
            total_exact: page.total_exact,
            page: page.page,
            per_page: page.per_page,
        }
    }
}

/// How an offer is priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = PricingUnit)]
pub enum PricingUnitDto {
    FixedAnnual,
    PerMonth,
    DayRate,
    PerFteMonth,
    #[serde(rename = "per_1000_population_year")]
    Per1000PopulationYear,
    PerTransaction,
}

impl From<PricingUnitDto> for domain::offer::PricingUnit {
    fn from(unit: PricingUnitDto) -> Self {
        use domain::offer::PricingUnit as U;
        match unit {
            PricingUnitDto::FixedAnnual => U::FixedAnnual,
            PricingUnitDto::PerMonth => U::PerMonth,
            PricingUnitDto::DayRate => U::DayRate,
            PricingUnitDto::PerFteMonth => U::PerFteMonth,
            PricingUnitDto::Per1000PopulationYear => U::Per1000PopulationYear,
            PricingUnitDto::PerTransaction => U::PerTransaction,
        }
    }
}

impl From<domain::offer::PricingUnit> for PricingUnitDto {
    fn from(unit: domain::offer::PricingUnit) -> Self {
        use domain::offer::PricingUnit as U;
        match unit {
            U::FixedAnnual => Self::FixedAnnual,
            U::PerMonth => Self::PerMonth,
            U::DayRate => Self::DayRate,
            U::PerFteMonth => Self::PerFteMonth,
            U::Per1000PopulationYear => Self::Per1000PopulationYear,
            U::PerTransaction => Self::PerTransaction,
        }
    }
}

/// Where an offer is in its lifecycle: `draft → published → withdrawn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = OfferStatus)]
pub enum OfferStatusDto {
    Draft,
    Published,
    Withdrawn,
}

impl From<OfferStatusDto> for domain::offer::OfferStatus {
    fn from(status: OfferStatusDto) -> Self {
        match status {
            OfferStatusDto::Draft => Self::Draft,
            OfferStatusDto::Published => Self::Published,
            OfferStatusDto::Withdrawn => Self::Withdrawn,
        }
    }
}

impl From<domain::offer::OfferStatus> for OfferStatusDto {
    fn from(status: domain::offer::OfferStatus) -> Self {
        match status {
            domain::offer::OfferStatus::Draft => Self::Draft,
            domain::offer::OfferStatus::Published => Self::Published,
            domain::offer::OfferStatus::Withdrawn => Self::Withdrawn,
        }
    }
}

/// A created resource: 201, its address and its body.
pub(crate) type Created<T> = (
    axum::http::StatusCode,
    [(axum::http::HeaderName, axum::http::HeaderValue); 1],
    axum::Json<T>,
);

/// Answers 201 Created with `location` and `body`.
pub(crate) fn created<T>(location: &str, body: T) -> Result<Created<T>, crate::error::ApiError> {
    let location =
        axum::http::HeaderValue::from_str(location).map_err(crate::error::ApiError::internal)?;
    Ok((
        axum::http::StatusCode::CREATED,
        [(axum::http::header::LOCATION, location)],
        axum::Json(body),
    ))
}

/// A list's `category` filter names a category code: at most 60 characters, as documented.
pub(crate) fn check_category_filter(v: &mut domain::error::Validator, category: Option<&String>) {
    if category.is_some_and(|c| c.chars().count() > 60) {
        v.push(domain::FieldError::new(
            "/category",
            "must be at most 60 characters",
        ));
    }
}

/// Tells a field sent as `null` (`Some(None)`: clear it) from one left out (`None`: keep it).
pub(crate) fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Which lot of a divided tender: required there, refused on any other.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LotQuery {
    /// The lot's id (a divided tender's lots are ranked and awarded each on its own).
    pub lot: Option<Uuid>,
}

impl LotQuery {
    pub fn lot_id(&self) -> Option<domain::ids::LotId> {
        self.lot.map(domain::ids::LotId::from_uuid)
    }
}
