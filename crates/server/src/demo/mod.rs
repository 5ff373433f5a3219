//! A demo market: real-world-shaped NHS buyers (ICBs and a predecessor CCG), six Commissioning
//! Support Units and six independent suppliers with a catalogue of over a hundred offers, NHS
//! England, and a login for every role. Loaded only into an empty database, through the same
//! service commands as the API, each at the past instant it happened and by the demo user who
//! would have taken it, so its audit entries, notifications and standstills are the API's.

mod awards;
pub mod catalogue;
mod frameworks;
mod procedures;
pub mod tenders;

use chrono::{DateTime, Duration, Utc};
use domain::access::Actor;
use domain::ids::OrganisationId;
use domain::offer::OfferFields;
use domain::organisation::{NewOrganisation, OrganisationKind, Region};
use domain::user::{NewUser, Role};
use service::accounts::{
    OrganisationInput, UserInput, hash_password, register_organisation, register_user,
};
use service::{Ctx, Expected, ServiceError};
use std::collections::HashMap;

/// The password of every demo login. Printed by `marketplace demo`; never use it in production.
pub const DEMO_PASSWORD: &str = "marketplace-demo-2026";

struct DemoOrganisation {
    key: &'static str,
    name: &'static str,
    kind: OrganisationKind,
    ods_code: Option<&'static str>,
    region: Option<Region>,
}

const ORGANISATIONS: &[DemoOrganisation] = &[
    DemoOrganisation {
        key: "platform",
        name: "Commissioning Support Marketplace",
        kind: OrganisationKind::Platform,
        ods_code: None,
        region: None,
    },
    DemoOrganisation {
        key: "nhse",
        name: "NHS England",
        kind: OrganisationKind::Regulator,
        ods_code: Some("X24"),
        region: None,
    },
    DemoOrganisation {
        key: "nhse_commercial",
        name: "NHS England Commercial Directorate",
        kind: OrganisationKind::Buyer,
        ods_code: Some("X26"),
        region: Some(Region::London),
    },
    DemoOrganisation {
        key: "nw_icb",
        name: "NHS Norfolk and Waveney Integrated Care Board",
        kind: OrganisationKind::Buyer,
        ods_code: Some("QMM"),
        region: Some(Region::EastOfEngland),
    },
    DemoOrganisation {
        key: "gm_icb",
        name: "NHS Greater Manchester Integrated Care Board",
        kind: OrganisationKind::Buyer,
        ods_code: Some("QOP"),
        region: Some(Region::NorthWest),
    },
    DemoOrganisation {
        key: "km_icb",
        name: "NHS Kent and Medway Integrated Care Board",
        kind: OrganisationKind::Buyer,
        ods_code: Some("QKS"),
        region: Some(Region::SouthEast),
    },
    DemoOrganisation {
        key: "manchester_ccg",
        name: "NHS Manchester CCG",
        kind: OrganisationKind::Buyer,
        ods_code: Some("14L"),
        region: Some(Region::NorthWest),
    },
    // The five Norfolk and Waveney CCGs (merged in April 2020, succeeded by the ICB in 2022).
    DemoOrganisation {
        key: "norwich_ccg",
        name: "NHS Norwich CCG",
        kind: OrganisationKind::Buyer,
        ods_code: Some("06W"),
        region: Some(Region::EastOfEngland),
    },
    DemoOrganisation {
        key: "north_norfolk_ccg",
        name: "NHS North Norfolk CCG",
        kind: OrganisationKind::Buyer,
        ods_code: Some("06V"),
        region: Some(Region::EastOfEngland),
    },
    DemoOrganisation {
        key: "south_norfolk_ccg",
        name: "NHS South Norfolk CCG",
        kind: OrganisationKind::Buyer,
        ods_code: Some("06Y"),
        region: Some(Region::EastOfEngland),
    },
    DemoOrganisation {
        key: "west_norfolk_ccg",
        name: "NHS West Norfolk CCG",
        kind: OrganisationKind::Buyer,
        ods_code: Some("07J"),
        region: Some(Region::EastOfEngland),
    },
    DemoOrganisation {
        key: "gyw_ccg",
        name: "NHS Great Yarmouth and Waveney CCG",
        kind: OrganisationKind::Buyer,
        ods_code: Some("06M"),
        region: Some(Region::EastOfEngland),
    },
    DemoOrganisation {
        key: "necsu",
        name: "North of England Commissioning Support Unit",
        kind: OrganisationKind::Supplier,
        ods_code: Some("0AR"),
        region: Some(Region::NorthEastAndYorkshire),
    },
    DemoOrganisation {
        key: "mlcsu",
        name: "Midlands and Lancashire Commissioning Support Unit",
        kind: OrganisationKind::Supplier,
        ods_code: Some("0DF"),
        region: Some(Region::Midlands),
    },
    DemoOrganisation {
        key: "scwcsu",
        name: "NHS South, Central and West Commissioning Support Unit",
        kind: OrganisationKind::Supplier,
        ods_code: Some("0DX"),
        region: Some(Region::SouthWest),
    },
    DemoOrganisation {
        key: "agem",
        name: "NHS Arden and Greater East Midlands Commissioning Support Unit",
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: Some(Region::Midlands),
    },
    DemoOrganisation {
        key: "nelcsu",
        name: "NHS North and East London Commissioning Support Unit",
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: Some(Region::London),
    },
    DemoOrganisation {
        key: "anglia",
        name: "NHS Anglia Commissioning Support Unit",
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: Some(Region::EastOfEngland),
    },
    DemoOrganisation {
        key: "insight",
        name: "Northgate Health Insight Ltd",
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: Some(Region::London),
    },
    DemoOrganisation {
        key: "pennine",
        name: "Pennine Procurement Partners LLP",
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: Some(Region::NorthWest),
    },
    DemoOrganisation {
        key: "meridian",
        name: "Meridian Finance and Payroll Services Ltd",
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: Some(Region::Midlands),
    },
    DemoOrganisation {
        key: "clearwater",
        name: "Clearwater Digital Health Ltd",
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: Some(Region::SouthWest),
    },
    DemoOrganisation {
        key: "lighthouse",
        name: "Lighthouse Communications CIC",
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: Some(Region::London),
    },
    DemoOrganisation {
        key: "beacon",
        name: "Beacon Medicines Management Ltd",
        kind: OrganisationKind::Supplier,
        ods_code: None,
        region: Some(Region::Midlands),
    },
];

/// Which organisation succeeded which (CCGs were succeeded by ICBs in July 2022).
const SUCCESSIONS: &[(&str, &str)] = &[("manchester_ccg", "gm_icb")];

/// One demo login.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub email: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub organisation: String,
}

const LOGINS: &[(&str, &str, Role, &str)] = &[
    (
        "admin@marketplace.example",
        "Alex Admin",
        Role::Admin,
        "platform",
    ),
    (
        "regulator@england.nhs.example",
        "Rita Regulator",
        Role::Regulator,
        "nhse",
    ),
    (
        "lead@commercial.england.nhs.example",
        "Nia Lead",
        Role::BuyerLead,
        "nhse_commercial",
    ),
    (
        "lead@nw-icb.nhs.example",
        "Wendy Lead",
        Role::BuyerLead,
        "nw_icb",
    ),
    (
        "lead@gm-icb.nhs.example",
        "Grace Lead",
        Role::BuyerLead,
        "gm_icb",
    ),
    (
        "evaluator@gm-icb.nhs.example",
        "Evan Evaluator",
        Role::BuyerEvaluator,
        "gm_icb",
    ),
    (
        "evaluator2@gm-icb.nhs.example",
        "Esme Evaluator",
        Role::BuyerEvaluator,
        "gm_icb",
    ),
    (
        "lead@km-icb.nhs.example",
        "Kofi Lead",
        Role::BuyerLead,
        "km_icb",
    ),
    (
        "lead@norwich-ccg.nhs.example",
        "Nora Lead",
        Role::BuyerLead,
        "norwich_ccg",
    ),
    (
        "evaluator@norwich-ccg.nhs.example",
        "Ned Evaluator",
        Role::BuyerEvaluator,
        "norwich_ccg",
    ),
    (
        "lead@north-norfolk-ccg.nhs.example",
        "Niall Lead",
        Role::BuyerLead,
        "north_norfolk_ccg",
    ),
    (
        "lead@south-norfolk-ccg.nhs.example",
        "Sofia Lead",
        Role::BuyerLead,
        "south_norfolk_ccg",
    ),
    (
        "lead@west-norfolk-ccg.nhs.example",
        "Wes Lead",
        Role::BuyerLead,
        "west_norfolk_ccg",
    ),
    (
        "lead@gyw-ccg.nhs.example",
        "Gwen Lead",
        Role::BuyerLead,
        "gyw_ccg",
    ),
    (
        "bids@anglia.nhs.example",
        "Anya Bidder",
        Role::SupplierBidder,
        "anglia",
    ),
    (
        "bids@necsu.nhs.example",
        "Nadia Bidder",
        Role::SupplierBidder,
        "necsu",
    ),
    (
        "bids@mlcsu.nhs.example",
        "Mo Bidder",
        Role::SupplierBidder,
        "mlcsu",
    ),
    (
        "bids@scwcsu.nhs.example",
        "Sam Bidder",
        Role::SupplierBidder,
        "scwcsu",
    ),
    (
        "bids@agem.nhs.example",
        "Ade Bidder",
        Role::SupplierBidder,
        "agem",
    ),
    (
        "bids@insight.example",
        "Iris Bidder",
        Role::SupplierBidder,
        "insight",
    ),
    (
        "bids@nelcsu.nhs.example",
        "Nell Bidder",
        Role::SupplierBidder,
        "nelcsu",
    ),
    (
        "bids@pennine.example",
        "Pip Bidder",
        Role::SupplierBidder,
        "pennine",
    ),
    (
        "bids@meridian.example",
        "Meg Bidder",
        Role::SupplierBidder,
        "meridian",
    ),
    (
        "bids@clearwater.example",
        "Cal Bidder",
        Role::SupplierBidder,
        "clearwater",
    ),
    (
        "bids@lighthouse.example",
        "Lia Bidder",
        Role::SupplierBidder,
        "lighthouse",
    ),
    (
        "bids@beacon.example",
        "Ben Bidder",
        Role::SupplierBidder,
        "beacon",
    ),
];

/// What loading did.
#[derive(Debug)]
pub enum DemoOutcome {
    Loaded(Vec<DemoLogin>),
    /// The database already held organisations; nothing was changed.
    AlreadyPopulated,
}

/// The demo logins, with their organisations' names.
pub fn logins() -> Vec<DemoLogin> {
    LOGINS
        .iter()
        .map(|(email, name, role, key)| DemoLogin {
            email,
            name,
            role: *role,
            organisation: ORGANISATIONS
                .iter()
                .find(|o| o.key == *key)
                .map_or_else(String::new, |o| o.name.to_owned()),
        })
        .collect()
}

/// The demo's history starts this many days before loading: the organisations and their logins.
const HISTORY_DAYS: i64 = 730;

/// The demo as it loads: the use cases' context, the instant of loading, and the organisations
/// and logins made so far. Every step is a service command acting as the demo user who would
/// have taken it, at the instant it happened ([`Ctx::at`]).
pub(crate) struct Demo {
    ctx: Ctx,
    now: DateTime<Utc>,
    organisations: HashMap<&'static str, OrganisationId>,
    actors: HashMap<&'static str, Actor>,
}

impl Demo {
    /// The context at `instant`.
    pub(crate) fn at(&self, instant: DateTime<Utc>) -> Ctx {
        self.ctx.at(instant)
    }

    /// The instant of loading.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub(crate) fn org(&self, key: &str) -> Result<OrganisationId, ServiceError> {
        self.organisations.get(key).copied().ok_or_else(|| {
            ServiceError::Internal(format!("demo organisation {key} missing").into())
        })
    }

    pub(crate) fn actor(&self, email: &str) -> Result<Actor, ServiceError> {
        self.actors
            .get(email)
            .copied()
            .ok_or_else(|| ServiceError::Internal(format!("demo login {email} missing").into()))
    }
}

/// Loads the demo market into an empty database. The platform and its admin are registered
/// first, in a transaction that checks the database is still empty (two replicas starting with
/// `--demo` at once must not both load it); every later step is a service command.
pub async fn load(ctx: &Ctx) -> Result<DemoOutcome, ServiceError> {
    let db = ctx.db();
    if persistence::organisations::any(db.conn()).await? {
        return Ok(DemoOutcome::AlreadyPopulated);
    }
    let logins = logins();
    let now = db.now().await?;
    let start = now - Duration::days(HISTORY_DAYS);
    let ctx = ctx.clone();
    let (platform, admin) = LOGINS
        .iter()
        .find(|(_, _, role, _)| *role == Role::Admin)
        .and_then(|(email, name, _, key)| {
            ORGANISATIONS
                .iter()
                .find(|o| o.key == *key)
                .map(|o| (o, (*email, *name)))
        })
        .ok_or_else(|| ServiceError::Internal("the demo has no admin".into()))?;
    let password = domain::user::Password::parse(DEMO_PASSWORD)?;
    let hash = hash_password(&password).await?;
    let command = db.command_at(start).await?;
    if persistence::organisations::any(command.conn()).await? {
        return Ok(DemoOutcome::AlreadyPopulated);
    }
    let new = NewOrganisation::parse(
        platform.name,
        platform.kind,
        platform.ods_code,
        platform.region,
    )?;
    let organisation = register_organisation(&command, None, &new).await?;
    let new = NewUser::parse(admin.0, admin.1, DEMO_PASSWORD, Role::Admin)?;
    let user = register_user(&command, None, &new, &organisation, &hash).await?;
    command.commit().await?;
    let mut demo = Demo {
        ctx,
        now,
        organisations: HashMap::from([(platform.key, organisation.id)]),
        actors: HashMap::from([(
            admin.0,
            Actor {
                user_id: user.id,
                organisation_id: organisation.id,
                role: Role::Admin,
            },
        )]),
    };
    let admin = demo.actor(admin.0)?;
    let at_start = demo.at(start);
    for organisation in ORGANISATIONS.iter().filter(|o| o.key != platform.key) {
        let created = service::accounts::create_organisation(
            &at_start,
            &admin,
            &OrganisationInput {
                name: organisation.name.to_owned(),
                kind: organisation.kind,
                ods_code: organisation.ods_code.map(str::to_owned),
                region: organisation.region,
                authority_type: None,
                identifiers: Vec::new(),
            },
        )
        .await?;
        demo.organisations.insert(organisation.key, created.id);
    }
    for (predecessor, successor) in SUCCESSIONS {
        service::accounts::set_successor(
            &at_start,
            &admin,
            demo.org(predecessor)?,
            demo.org(successor)?,
        )
        .await?;
    }
    for (email, name, role, key) in LOGINS.iter().filter(|(_, _, role, _)| *role != Role::Admin) {
        let organisation_id = demo.org(key)?;
        let user = service::accounts::create_user(
            &at_start,
            &admin,
            &UserInput {
                email: (*email).to_owned(),
                name: (*name).to_owned(),
                password: DEMO_PASSWORD.to_owned(),
                role: *role,
                organisation_id,
            },
        )
        .await?;
        demo.actors.insert(
            email,
            Actor {
                user_id: user.id,
                organisation_id,
                role: *role,
            },
        );
    }
    catalogue_offers(&demo, start + Duration::days(1)).await?;
    tenders::load(&demo).await?;
    awards::load(&demo).await?;
    // Before the market's history ends with the Anglia takeover, which moves its places.
    frameworks::load(&demo).await?;
    awards::load_market(&demo).await?;
    procedures::load(&demo).await?;
    Ok(DemoOutcome::Loaded(logins))
}

/// Each supplier's bidder publishes its portfolio (and keeps a few drafts) at `at`.
async fn catalogue_offers(demo: &Demo, at: DateTime<Utc>) -> Result<(), ServiceError> {
    let ctx = demo.at(at);
    for portfolio in catalogue::PORTFOLIOS {
        let bidder = bidder_of(demo, portfolio.supplier)?;
        for (key, publish) in portfolio
            .services
            .iter()
            .map(|k| (k, true))
            .chain(portfolio.drafts.iter().map(|k| (k, false)))
        {
            let service = catalogue::SERVICES
                .iter()
                .find(|s| s.key == *key)
                .ok_or_else(|| {
                    ServiceError::Internal(format!("demo service {key} missing").into())
                })?;
            let draft = service::offers::create(
                &ctx,
                &bidder,
                &OfferFields {
                    category: Some(service.category),
                    title: Some(service.title),
                    summary: Some(service.summary),
                    description: Some(service.description),
                    regions: Some(portfolio.regions),
                    pricing_unit: Some(service.unit),
                    unit_price_pence: Some(catalogue::price_for(
                        portfolio.supplier,
                        service,
                        portfolio.price_index_bp,
                    )),
                    minimum_term_months: Some(service.minimum_term_months),
                },
            )
            .await?;
            if publish {
                service::offers::transition(
                    &ctx,
                    &bidder,
                    draft.id,
                    &Expected::version(draft.version),
                    service::offers::OfferMove::Publish,
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// The bidding login of the supplier with `key`.
fn bidder_of(demo: &Demo, key: &str) -> Result<Actor, ServiceError> {
    let (email, ..) = LOGINS
        .iter()
        .find(|(_, _, role, k)| *k == key && *role == Role::SupplierBidder)
        .ok_or_else(|| {
            ServiceError::Internal(format!("demo supplier {key} has no bidder").into())
        })?;
    demo.actor(email)
}

/// A few lines on the market as it stands: suppliers trading, awarded contracts, and overall
/// concentration (contracts attributed to their holders now).
pub async fn summary(ctx: &Ctx) -> Result<String, ServiceError> {
    let conn = ctx.db().conn();
    let suppliers = service::reference::suppliers(ctx, false).await?;
    let trading = suppliers.iter().filter(|o| o.is_trading_supplier()).count();
    let rows = persistence::market::totals(
        conn,
        &persistence::market::MarketFilter {
            category: None,
            framework: None,
            region: None,
            from: None,
            until: None,
            attribution: persistence::market::Attribution::Current,
        },
        persistence::market::GroupBy::Nothing,
    )
    .await?;
    let totals: Vec<_> = rows.iter().map(|r| r.totals).collect();
    let scale = domain::market::ConcentrationScale::default();
    let figures = domain::market::concentration(&totals, &scale);
    let value = domain::money::pounds(figures.value_pence);
    Ok(format!(
        "Demo market: {trading} suppliers trading ({} merged or taken over), {} awarded \
         contracts worth {value}, held by {} suppliers; overall HHI {:.0} ({}, {} scale).\n",
        suppliers.len() - trading,
        figures.contracts,
        figures.suppliers,
        figures.hhi,
        figures.level.as_str().replace('_', " "),
        scale.name
    ))
}

/// The demo logins as a table for the terminal.
pub fn describe(logins: &[DemoLogin]) -> String {
    let mut out = format!("Demo logins (password for all: {DEMO_PASSWORD}):\n");
    for login in logins {
        out.push_str(&format!(
            "  {:<32} {:<16} {}\n",
            login.email,
            login.role.as_str(),
            login.organisation
        ));
    }
    out
}
