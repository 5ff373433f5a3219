//! A demo market: real-world-shaped NHS buyers (ICBs and a predecessor CCG), six Commissioning
//! Support Units and six independent suppliers with a catalogue of over a hundred offers, NHS
//! England, and a login for every role. Loaded only into an empty database, through the same
//! audited code paths as the API.

mod awards;
pub mod catalogue;
pub mod tenders;

use domain::audit::AuditEntry;
use domain::offer::{NewOffer, OfferFields, OfferStatus};
use domain::organisation::{NewOrganisation, Organisation, OrganisationKind, Region};
use domain::user::{NewUser, Role};
use persistence::Db;
use service::ServiceError;
use service::accounts::hash_password;
use service::accounts::{register_organisation, register_user};

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
    organisation_key: &'static str,
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
            organisation_key: key,
            organisation: ORGANISATIONS
                .iter()
                .find(|o| o.key == *key)
                .map_or_else(String::new, |o| o.name.to_owned()),
        })
        .collect()
}

/// Loads the demo market into an empty database, in one transaction.
pub async fn load(db: &Db) -> Result<DemoOutcome, ServiceError> {
    if persistence::organisations::any(db.conn()).await? {
        return Ok(DemoOutcome::AlreadyPopulated);
    }
    let logins = logins();
    let password = domain::user::Password::parse(DEMO_PASSWORD)?;
    let mut hashes = Vec::with_capacity(logins.len());
    for _ in &logins {
        hashes.push(hash_password(&password).await?);
    }

    let command = db.command().await?;
    // Checked again inside the write transaction: two replicas starting with --demo at once
    // must not both load it.
    if persistence::organisations::any(command.conn()).await? {
        return Ok(DemoOutcome::AlreadyPopulated);
    }
    let mut created: Vec<(&str, Organisation)> = Vec::new();
    for demo in ORGANISATIONS {
        let new = NewOrganisation::parse(demo.name, demo.kind, demo.ods_code, demo.region)?;
        created.push((demo.key, register_organisation(&command, None, &new).await?));
    }
    let find = |key: &str| {
        created
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, o)| o.clone())
            .ok_or_else(|| {
                ServiceError::Internal(format!("demo organisation {key} missing").into())
            })
    };
    for (predecessor, successor) in SUCCESSIONS {
        let before = find(predecessor)?;
        let after = persistence::organisations::set_successor(
            command.conn(),
            before.id,
            find(successor)?.id,
            command.now(),
        )
        .await?;
        command
            .audit(
                AuditEntry::new(None, "organisation.succeeded", "organisation", after.id)
                    .before(serde_json::json!({ "successor_id": before.successor_id }))
                    .after(serde_json::json!({ "successor_id": after.successor_id })),
            )
            .await?;
    }
    let mut users = Vec::new();
    for (login, hash) in logins.iter().zip(&hashes) {
        let organisation = find(login.organisation_key)?;
        let new = NewUser::parse(login.email, login.name, DEMO_PASSWORD, login.role)?;
        let user = register_user(&command, None, &new, &organisation, hash).await?;
        users.push((login.email, user.id));
    }
    for portfolio in catalogue::PORTFOLIOS {
        let supplier = find(portfolio.supplier)?;
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
            let new = NewOffer::parse(&OfferFields {
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
            })?;
            let draft = service::offers::create_in(&command, None, supplier.id, &new).await?;
            if publish {
                let stored = persistence::offers::find(command.conn(), draft.id)
                    .await?
                    .ok_or_else(|| ServiceError::Internal("demo offer vanished".into()))?;
                service::offers::transition_in(
                    &command,
                    None,
                    stored,
                    OfferStatus::publish,
                    "offer.published",
                )
                .await?;
            }
        }
    }
    let user = |email: &str| {
        users
            .iter()
            .find(|(e, _)| *e == email)
            .map(|(_, id)| *id)
            .ok_or_else(|| ServiceError::Internal(format!("demo login {email} missing").into()))
    };
    tenders::load(&command, &|key| find(key).map(|o| o.id), &user).await?;
    awards::load(&command, &|key| find(key).map(|o| o.id), &user).await?;
    awards::load_market(&command, &|key| find(key).map(|o| o.id), &user).await?;
    command.commit().await?;
    Ok(DemoOutcome::Loaded(logins))
}

/// A few lines on the market as it stands: suppliers trading, awarded contracts, and overall
/// concentration (contracts attributed to their holders now).
pub async fn summary(db: &Db) -> Result<String, ServiceError> {
    let conn = db.conn();
    let suppliers = persistence::organisations::list(
        conn,
        &persistence::organisations::OrganisationFilter {
            kind: Some(OrganisationKind::Supplier),
        },
        domain::pagination::PageRequest::new(Some(1), Some(100))?,
    )
    .await?;
    let trading = suppliers
        .items
        .iter()
        .filter(|o| o.successor_id.is_none())
        .count();
    let rows = persistence::market::totals(
        conn,
        &persistence::market::MarketFilter {
            category: None,
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
        suppliers.items.len() - trading,
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
