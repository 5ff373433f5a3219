//! The demo catalogue: the services CSUs and independent firms really sell to ICBs, each supplier
//! with its own regions and price level, so that search, filters and comparison have something
//! to show. Prices are plausible, not any supplier's real tariff.

use domain::offer::PricingUnit;
use domain::organisation::Region;

/// A service as the market sells it; each supplier that offers it sets its own price around
/// `base_pence`.
pub struct Service {
    pub key: &'static str,
    pub category: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub unit: PricingUnit,
    pub base_pence: i64,
    pub minimum_term_months: Option<i32>,
}

use PricingUnit::{
    DayRate, FixedAnnual, Per1000PopulationYear, PerFteMonth, PerMonth, PerTransaction,
};

pub const SERVICES: &[Service] = &[
    Service {
        key: "procurement",
        category: "procurement",
        title: "Strategic procurement service",
        summary: "End-to-end procurement of healthcare and non-clinical services under the Provider Selection Regime and the Procurement Act 2023.",
        description: "Procurement planning, market engagement, specification support, running competitive and direct award processes, evaluation moderation, award and standstill management, and publication of notices. Includes a named senior procurement lead and quarterly pipeline reviews.",
        unit: FixedAnnual,
        base_pence: 18_000_000,
        minimum_term_months: Some(12),
    },
    Service {
        key: "tender_management",
        category: "procurement",
        title: "Tender management on demand",
        summary: "Experienced procurement consultants to run a single tender from specification to contract award.",
        description: "A qualified (MCIPS) procurement consultant runs one procurement: market sounding, tender documents, clarification log, evaluation facilitation, moderation, award letters and debriefs. Charged per consultant day.",
        unit: DayRate,
        base_pence: 55_000,
        minimum_term_months: None,
    },
    Service {
        key: "contract_management",
        category: "contracting",
        title: "Acute and community contract management",
        summary: "Contract negotiation, monitoring and variation management for NHS Standard Contracts with acute and community providers.",
        description: "Annual contract negotiation, activity and finance schedules, contract performance notices, information requirements, CQUIN and quality schedules, contract variations and dispute resolution support. Monthly contract performance reports to the ICB.",
        unit: PerMonth,
        base_pence: 1_500_000,
        minimum_term_months: Some(12),
    },
    Service {
        key: "contract_challenge",
        category: "contracting",
        title: "Activity challenge and invoice validation",
        summary: "Validation of provider activity and invoices against contract terms, with challenges raised and tracked.",
        description: "Line-by-line validation of SUS and local activity data against the contract, identification of duplicate, out-of-area and non-contracted activity, challenge letters and recovery tracking. Charged per validated invoice.",
        unit: PerTransaction,
        base_pence: 1_250,
        minimum_term_months: Some(6),
    },
    Service {
        key: "bi_reporting",
        category: "data_analysis_bi",
        title: "Business intelligence dashboards and reporting",
        summary: "Interactive dashboards for urgent care, elective recovery, mental health and primary care, refreshed daily.",
        description: "A managed business intelligence service: data warehouse, daily refresh of national and local datasets, interactive dashboards, board reports, ad hoc analysis requests and an analyst helpdesk.",
        unit: PerMonth,
        base_pence: 950_000,
        minimum_term_months: Some(12),
    },
    Service {
        key: "dscro",
        category: "data_analysis_bi",
        title: "Data processing and pseudonymisation (DSCRO)",
        summary: "Receipt, pseudonymisation and linkage of patient-level data flows under the NHS England data access framework.",
        description: "Processing of SUS, mental health, community and maternity data sets; pseudonymisation at source; linkage with primary care data; data quality reporting; and secure flows to the ICB's analysts.",
        unit: Per1000PopulationYear,
        base_pence: 4_500,
        minimum_term_months: Some(24),
    },
    Service {
        key: "analyst_days",
        category: "data_analysis_bi",
        title: "Senior analyst consultancy",
        summary: "Senior analysts for modelling, demand and capacity planning, and evaluation of service changes.",
        description: "Demand and capacity models, scenario modelling for winter, evaluation of pilots, statistical process control and bespoke analysis for business cases. Charged per analyst day.",
        unit: DayRate,
        base_pence: 62_000,
        minimum_term_months: None,
    },
    Service {
        key: "financial_accounting",
        category: "finance",
        title: "Financial accounting and ledger service",
        summary: "Accounts payable and receivable, ledger management, month-end close and annual accounts support.",
        description: "Transactional finance on the ICB's ledger: invoice processing, payment runs, debt collection, bank reconciliation, month-end close, agreement of balances and support through the year-end audit.",
        unit: FixedAnnual,
        base_pence: 24_000_000,
        minimum_term_months: Some(24),
    },
    Service {
        key: "finance_partner",
        category: "finance",
        title: "Interim finance business partner",
        summary: "A qualified accountant to support budget setting, financial planning and the medium-term financial plan.",
        description: "CCAB-qualified finance business partners for budget setting, monthly forecasting, financial recovery plans and business case appraisal. Charged per day.",
        unit: DayRate,
        base_pence: 65_000,
        minimum_term_months: None,
    },
    Service {
        key: "payroll",
        category: "hr",
        title: "Payroll bureau",
        summary: "Monthly payroll, pensions returns, expenses and statutory reporting for NHS staff.",
        description: "ESR-based payroll: starters and leavers, monthly and weekly pay runs, NHS Pension Scheme returns, salary sacrifice, expenses, HMRC real-time information and year-end reporting. Charged per payslip.",
        unit: PerTransaction,
        base_pence: 650,
        minimum_term_months: Some(12),
    },
    Service {
        key: "hr_advisory",
        category: "hr",
        title: "HR advisory and employee relations",
        summary: "HR business partnering, employee relations casework, organisational change and policy support.",
        description: "Employee relations casework (disciplinary, grievance, capability, sickness), organisational change consultations, TUPE advice, policy development and workforce reporting. Charged per whole-time equivalent employee of the client per month.",
        unit: PerFteMonth,
        base_pence: 1_200,
        minimum_term_months: Some(12),
    },
    Service {
        key: "service_desk",
        category: "it",
        title: "IT service desk and end-user support",
        summary: "First and second line IT support for ICB staff and GP practices, with device management.",
        description: "A service desk open 08:00 to 18:30, remote and on-site support, device build and management, patching, Microsoft 365 administration and asset management. Charged per supported user per month.",
        unit: PerFteMonth,
        base_pence: 3_800,
        minimum_term_months: Some(24),
    },
    Service {
        key: "cyber",
        category: "it",
        title: "Cyber security assurance",
        summary: "Data Security and Protection Toolkit support, vulnerability management and incident response.",
        description: "Annual Data Security and Protection Toolkit submission support, vulnerability scanning, penetration test coordination, security incident response and board assurance reporting.",
        unit: FixedAnnual,
        base_pence: 8_500_000,
        minimum_term_months: Some(12),
    },
    Service {
        key: "communications",
        category: "communications_engagement",
        title: "Communications and engagement support",
        summary: "Campaigns, media relations, public engagement and consultation for health and care systems.",
        description: "Campaign planning and delivery, media handling, digital and social media, stakeholder briefings, public and patient engagement, and formal consultation with equality analysis. Charged per consultant day.",
        unit: DayRate,
        base_pence: 52_000,
        minimum_term_months: None,
    },
    Service {
        key: "medicines_optimisation",
        category: "medicines_optimisation",
        title: "Medicines optimisation and prescribing support",
        summary: "Pharmacists and technicians supporting practices on safe, cost-effective prescribing.",
        description: "Prescribing data analysis, practice-level medicines optimisation plans, formulary management, switching programmes, care home medication reviews and prescribing incentive scheme support.",
        unit: Per1000PopulationYear,
        base_pence: 9_500,
        minimum_term_months: Some(12),
    },
    Service {
        key: "chc_assessment",
        category: "continuing_healthcare",
        title: "NHS Continuing Healthcare assessments",
        summary: "Checklists, full assessments and reviews of eligibility for NHS Continuing Healthcare.",
        description: "Nurse assessors complete checklists and decision support tool assessments within the 28-day standard, coordinate multidisciplinary teams, and carry out three- and twelve-month reviews. Charged per completed assessment.",
        unit: PerTransaction,
        base_pence: 42_000,
        minimum_term_months: Some(12),
    },
    Service {
        key: "chc_retrospective",
        category: "continuing_healthcare",
        title: "Continuing healthcare retrospective reviews",
        summary: "Clearing backlogs of previously unassessed periods of care and appeals.",
        description: "Review of retrospective claims and appeals against eligibility decisions, with evidence gathering, panel preparation and redress calculations. Charged per case closed.",
        unit: PerTransaction,
        base_pence: 65_000,
        minimum_term_months: None,
    },
    Service {
        key: "primary_care",
        category: "primary_care_support",
        title: "Primary care contracting support",
        summary: "GMS, PMS and APMS contract management, practice mergers and primary care network support.",
        description: "Delegated primary care commissioning support: contract variations, practice mergers and boundary changes, list cleansing, premises reimbursements, PCN Directed Enhanced Service and Additional Roles reimbursement.",
        unit: PerMonth,
        base_pence: 1_100_000,
        minimum_term_months: Some(12),
    },
    Service {
        key: "dpo",
        category: "information_governance",
        title: "Data Protection Officer and IG service",
        summary: "A named Data Protection Officer with information governance policies, training and breach handling.",
        description: "A named DPO, data protection impact assessments, subject access and FOI request handling, records management, IG training and breach investigation and reporting.",
        unit: FixedAnnual,
        base_pence: 4_500_000,
        minimum_term_months: Some(12),
    },
    Service {
        key: "pmo",
        category: "transformation_pmo",
        title: "Transformation programme management",
        summary: "Programme and project managers to deliver system transformation and recovery programmes.",
        description: "Programme management office set-up, benefits realisation, risk and issue management, and programme managers for elective recovery, urgent care and community transformation. Charged per day.",
        unit: DayRate,
        base_pence: 70_000,
        minimum_term_months: None,
    },
    Service {
        key: "risk_stratification",
        category: "population_health",
        title: "Population health management and risk stratification",
        summary: "Risk stratification of the registered population with linked data for proactive care.",
        description: "Linked primary, secondary and social care data; risk scores for emergency admission and frailty; cohort identification tools for primary care networks; and population health segmentation for planning.",
        unit: Per1000PopulationYear,
        base_pence: 6_000,
        minimum_term_months: Some(24),
    },
    Service {
        key: "ifr",
        category: "individual_funding_requests",
        title: "Individual funding request service",
        summary: "Screening, clinical panels and appeals for individual funding requests.",
        description: "Screening of requests against policy, evidence reviews, panel administration with independent clinicians, decision letters and appeals. Charged per request.",
        unit: PerTransaction,
        base_pence: 31_000,
        minimum_term_months: Some(12),
    },
    Service {
        key: "estates",
        category: "estates",
        title: "Estates strategy and premises advice",
        summary: "Estates strategies, premises business cases and lease management for primary and community care.",
        description: "Infrastructure strategy, premises business cases, lease events and rent reviews, void space management and space utilisation studies. Charged per surveyor day.",
        unit: DayRate,
        base_pence: 75_000,
        minimum_term_months: None,
    },
];

/// What one supplier sells, where, and at what price level (basis points of the market base).
pub struct Portfolio {
    pub supplier: &'static str,
    pub regions: &'static [Region],
    pub price_index_bp: i64,
    pub services: &'static [&'static str],
    /// Services prepared but not yet published.
    pub drafts: &'static [&'static str],
}

use Region::{
    EastOfEngland, London, Midlands, NorthEastAndYorkshire, NorthWest, SouthEast, SouthWest,
};

const CSU_SERVICES: &[&str] = &[
    "procurement",
    "tender_management",
    "contract_management",
    "contract_challenge",
    "bi_reporting",
    "dscro",
    "analyst_days",
    "financial_accounting",
    "payroll",
    "hr_advisory",
    "service_desk",
    "medicines_optimisation",
    "chc_assessment",
    "primary_care",
    "dpo",
    "risk_stratification",
];

pub const PORTFOLIOS: &[Portfolio] = &[
    Portfolio {
        supplier: "necsu",
        regions: &[NorthEastAndYorkshire, NorthWest],
        price_index_bp: 9_600,
        services: CSU_SERVICES,
        drafts: &["ifr"],
    },
    Portfolio {
        supplier: "mlcsu",
        regions: &[Midlands, NorthWest],
        price_index_bp: 10_200,
        services: CSU_SERVICES,
        drafts: &[],
    },
    Portfolio {
        supplier: "scwcsu",
        regions: &[SouthWest, SouthEast, London],
        price_index_bp: 10_500,
        services: CSU_SERVICES,
        drafts: &["estates"],
    },
    Portfolio {
        supplier: "agem",
        regions: &[Midlands, EastOfEngland],
        price_index_bp: 9_900,
        services: &[
            "procurement",
            "tender_management",
            "contract_management",
            "bi_reporting",
            "dscro",
            "financial_accounting",
            "finance_partner",
            "service_desk",
            "cyber",
            "chc_assessment",
            "chc_retrospective",
            "ifr",
            "pmo",
        ],
        drafts: &[],
    },
    Portfolio {
        supplier: "nelcsu",
        regions: &[London, EastOfEngland, SouthEast],
        price_index_bp: 11_200,
        services: &[
            "procurement",
            "contract_management",
            "contract_challenge",
            "bi_reporting",
            "analyst_days",
            "service_desk",
            "cyber",
            "communications",
            "primary_care",
            "risk_stratification",
            "pmo",
            "ifr",
        ],
        drafts: &[],
    },
    Portfolio {
        supplier: "anglia",
        regions: &[EastOfEngland],
        price_index_bp: 9_300,
        services: &[
            "contract_management",
            "financial_accounting",
            "payroll",
            "hr_advisory",
            "medicines_optimisation",
            "chc_assessment",
            "dpo",
            "communications",
            "finance_partner",
        ],
        drafts: &[],
    },
    Portfolio {
        supplier: "insight",
        regions: &Region::ALL,
        price_index_bp: 10_800,
        services: &[
            "bi_reporting",
            "analyst_days",
            "risk_stratification",
            "dscro",
            "pmo",
        ],
        drafts: &[],
    },
    Portfolio {
        supplier: "pennine",
        regions: &[NorthWest, NorthEastAndYorkshire],
        price_index_bp: 8_800,
        services: &["procurement", "tender_management", "contract_challenge"],
        drafts: &[],
    },
    Portfolio {
        supplier: "meridian",
        regions: &[Midlands, London, SouthEast, SouthWest, EastOfEngland],
        price_index_bp: 9_000,
        services: &[
            "financial_accounting",
            "finance_partner",
            "payroll",
            "hr_advisory",
        ],
        drafts: &[],
    },
    Portfolio {
        supplier: "clearwater",
        regions: &Region::ALL,
        price_index_bp: 9_400,
        services: &["service_desk", "cyber", "dpo"],
        drafts: &[],
    },
    Portfolio {
        supplier: "lighthouse",
        regions: &[London, SouthEast, EastOfEngland],
        price_index_bp: 8_600,
        services: &["communications", "pmo"],
        drafts: &[],
    },
    Portfolio {
        supplier: "beacon",
        regions: &[Midlands, NorthWest, NorthEastAndYorkshire],
        price_index_bp: 9_700,
        services: &[
            "medicines_optimisation",
            "chc_assessment",
            "chc_retrospective",
            "ifr",
        ],
        drafts: &[],
    },
];

/// A supplier's price for a service: its price level, give or take up to 8% by service
/// (deterministic, so the demo is the same every time), rounded as a price list would be.
pub fn price_for(supplier: &str, service: &Service, price_index_bp: i64) -> i64 {
    // FNV-1a over both keys: a fixed, well-spread per-pair adjustment.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in supplier.bytes().chain(service.key.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let spread = i64::try_from(hash % 1_601).unwrap_or(800) - 800;
    let raw = service.base_pence * (price_index_bp + spread) / 10_000;
    let step = match raw {
        ..10_000 => 5,
        10_000..500_000 => 500,
        _ => 50_000,
    };
    ((raw + step / 2) / step * step).max(step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_portfolio_names_known_services_and_the_catalogue_has_over_a_hundred_offers() {
        let mut total = 0;
        for portfolio in PORTFOLIOS {
            for key in portfolio.services.iter().chain(portfolio.drafts) {
                assert!(
                    SERVICES.iter().any(|s| s.key == *key),
                    "{}: unknown service {key}",
                    portfolio.supplier
                );
            }
            assert!(!portfolio.regions.is_empty());
            total += portfolio.services.len();
        }
        assert!(total >= 100, "{total} published offers");
    }

    #[test]
    fn prices_are_rounded_positive_and_near_the_market_level() {
        for portfolio in PORTFOLIOS {
            for service in SERVICES {
                let price = price_for(portfolio.supplier, service, portfolio.price_index_bp);
                assert!(price > 0);
                let ratio = price as f64 / service.base_pence as f64;
                assert!((0.75..=1.25).contains(&ratio), "{} {}", service.key, ratio);
            }
        }
        let payroll = SERVICES.iter().find(|s| s.key == "payroll");
        let price = payroll.map(|s| price_for("necsu", s, 10_000)).unwrap_or(0);
        assert_eq!(price % 5, 0);
    }
}
