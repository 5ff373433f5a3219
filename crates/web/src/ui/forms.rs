//! Forms: CSRF-checked posts, the fields and their NHS inline errors, the error summary, and the select options every form shares.

use super::*;

/// A posted form whose CSRF token matched the browser's cookie; anything else is refused with
/// the "form expired" page before a handler runs.
pub struct Posted(Vec<(String, String)>);

impl FromRequest<WebState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Response> {
        let headers = req.headers().clone();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| refused_form())?;
        let pairs: Vec<(String, String)> = form_urlencoded::parse(&bytes).into_owned().collect();
        let submitted = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if !session::csrf_ok(&headers, submitted) {
            return Err(refused_form());
        }
        Ok(Self(pairs))
    }
}

impl Posted {
    /// A field's value, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.text(name).trim()
    }

    /// A field's value as written (prose keeps its line breaks and spaces).
    pub fn text(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    /// Every value of a repeated field (checkboxes, multiple selects).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// [`Posted::all`], owned: the ticks to show again on a form.
    pub fn all_owned(&self, name: &str) -> Vec<String> {
        self.all(name).into_iter().map(str::to_owned).collect()
    }

    /// The id chosen in `field`; none or an unreadable one is a validation error at the field.
    pub fn id(&self, field: &str, message: &str) -> Result<uuid::Uuid, ServiceError> {
        uuid::Uuid::parse_str(self.get(field)).map_err(|_| {
            service::ServiceError::Validation(vec![domain::FieldError::new(
                format!("/{field}"),
                message,
            )])
        })
    }

    /// An amount typed in pounds, in pence: `None` when left empty and not `required`, or when
    /// it is not an amount (with an error at the field).
    pub fn pounds(
        &self,
        field: &str,
        required: bool,
        errors: &mut Vec<domain::FieldError>,
    ) -> Option<i64> {
        let raw = self.get(field);
        if raw.is_empty() && !required {
            return None;
        }
        parse_pounds(raw).or_else(|| {
            errors.push(domain::FieldError::new(
                format!("/{field}"),
                "must be an amount in pounds, like 250000 or 250000.50",
            ));
            None
        })
    }

    /// The organisations ticked in the repeated field `name`; one that is not an id is an error
    /// at `pointer/{i}` saying `message`.
    pub fn organisations(
        &self,
        name: &str,
        pointer: &str,
        message: &str,
        errors: &mut Vec<domain::FieldError>,
    ) -> Vec<domain::ids::OrganisationId> {
        let mut ids = Vec::new();
        for (i, raw) in self.all(name).iter().enumerate() {
            match uuid::Uuid::parse_str(raw) {
                Ok(id) => ids.push(domain::ids::OrganisationId::from_uuid(id)),
                Err(_) => errors.push(domain::FieldError::new(format!("{pointer}/{i}"), message)),
            }
        }
        ids
    }

    /// The fields as a map, to put back into a form shown again after an error.
    pub fn values(&self) -> HashMap<String, String> {
        let mut map = HashMap::new();
        for (k, v) in &self.0 {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
        map
    }
}

/// An error shown on a form: where it points (the id of the field, or none) and what it says.
#[derive(Debug, Clone)]
pub struct Problem {
    pub field: Option<String>,
    pub message: String,
}

/// The problems an API error carries, each field error pointed at its form field
/// (`/criteria/1/weight` → `criteria-1-weight`).
pub fn problems_of(error: &ServiceError) -> Vec<Problem> {
    let anchor = |pointer: &str| {
        let id = pointer.trim_start_matches('/').replace('/', "-");
        (!id.is_empty()).then_some(id)
    };
    match error {
        ServiceError::Validation(errors) => errors
            .iter()
            .map(|e| Problem {
                field: anchor(&e.pointer),
                message: sentence(&e.pointer, &e.detail),
            })
            .collect(),
        ServiceError::Conflict { detail, errors } if !errors.is_empty() => errors
            .iter()
            .map(|e| Problem {
                field: anchor(&e.pointer),
                message: sentence(&e.pointer, &e.detail),
            })
            .chain(std::iter::once(Problem {
                field: None,
                message: detail.clone(),
            }))
            .collect(),
        // A form carries the version it was shown; a newer one means someone else saved first.
        ServiceError::Stale(_) => vec![Problem {
            field: None,
            message: "Someone else changed this while you were editing it. Open it again to see \
                      their changes."
                .to_owned(),
        }],
        other => vec![Problem {
            field: None,
            message: detail_of(other),
        }],
    }
}

/// A field error as a sentence a person reads: "Title: must not be empty".
pub(crate) fn sentence(pointer: &str, detail: &str) -> String {
    let name = pointer
        .trim_start_matches('/')
        .split('/')
        .map(|part| match part.parse::<usize>() {
            Ok(i) => format!("{}", i + 1),
            Err(_) => part.replace('_', " "),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{}{}: {detail}", first.to_uppercase(), chars.as_str()),
        None => detail.to_owned(),
    }
}

/// What an error says to a person, never its internal cause.
pub fn detail_of(error: &ServiceError) -> String {
    match error {
        ServiceError::Unauthenticated(d)
        | ServiceError::Forbidden(d)
        | ServiceError::Sealed(d)
        | ServiceError::NotFound(d)
        | ServiceError::Stale(d)
        | ServiceError::VersionRequired(d)
        | ServiceError::TooLarge(d)
        | ServiceError::UnsupportedType(d)
        | ServiceError::Unavailable(d) => d.clone(),
        ServiceError::Conflict { detail, .. }
        | ServiceError::DeadlinePassed { detail, .. }
        | ServiceError::TooManyRequests { detail, .. } => detail.clone(),
        ServiceError::Validation(errors) => errors
            .iter()
            .map(|e| sentence(&e.pointer, &e.detail))
            .collect::<Vec<_>>()
            .join("; "),
        ServiceError::Internal(_) => "Sorry, there is a problem with the service.".to_owned(),
    }
}

/// The NHS error summary: the problems, each linked to its field.
pub fn error_summary(problems: &[Problem]) -> Markup {
    html! {
        @if !problems.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "There is a problem" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" role="list" {
                        @for p in problems {
                            li {
                                @match &p.field {
                                    Some(field) => { a href=(format!("#{field}")) { (p.message) } }
                                    None => { (p.message) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A form's values and errors, to show it again as it was posted.
#[derive(Default)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub problems: Vec<Problem>,
}

impl FormState {
    pub fn new(values: HashMap<String, String>) -> Self {
        Self {
            values,
            problems: Vec::new(),
        }
    }

    pub fn failed(posted: &Posted, error: &ServiceError) -> Self {
        Self {
            values: posted.values(),
            problems: problems_of(error),
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The error pointed at exactly this field id (a group's own error, not its fields').
    pub fn error_at(&self, id: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| p.field.as_deref() == Some(id))
            .map(|p| p.message.as_str())
    }

    /// The first error pointed at a field id, or at a field id that starts with it.
    pub fn error(&self, id: &str) -> Option<&str> {
        self.problems
            .iter()
            .find(|p| {
                p.field
                    .as_deref()
                    .is_some_and(|f| f == id || f.starts_with(&format!("{id}-")))
            })
            .map(|p| p.message.as_str())
    }
}

pub(crate) fn group_class(error: Option<&str>) -> &'static str {
    if error.is_some() {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    }
}

/// The NHS inline error message above a field (or a group of radios or checkboxes).
pub fn inline_error(id: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(message) = error {
            span class="nhsuk-error-message" id=(format!("{id}-error")) {
                span class="nhsuk-u-visually-hidden" { "Error:" } " " (message)
            }
        }
    }
}

pub(crate) fn described_by(id: &str, hint: Option<&str>, error: Option<&str>) -> Option<String> {
    let mut ids = Vec::new();
    if hint.is_some() {
        ids.push(format!("{id}-hint"));
    }
    if error.is_some() {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A labelled text input. `id` is the field's anchor for errors; `name` its form name.
pub struct Field<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub label: &'a str,
    pub hint: Option<&'a str>,
    pub kind: &'a str,
    pub width: &'a str,
    /// A weight of the criteria builder, summed as it is typed.
    pub weight: bool,
    /// The purpose of a field about the user (`email`, `current-password`), for autofill.
    pub autocomplete: Option<&'a str>,
}

impl<'a> Field<'a> {
    pub fn new(id: &'a str, label: &'a str) -> Self {
        Self {
            id,
            name: id,
            label,
            hint: None,
            kind: "text",
            width: "",
            weight: false,
            autocomplete: None,
        }
    }
    pub fn autocomplete(mut self, purpose: &'a str) -> Self {
        self.autocomplete = Some(purpose);
        self
    }
    pub fn weight(mut self) -> Self {
        self.weight = true;
        self
    }
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub fn kind(mut self, kind: &'a str) -> Self {
        self.kind = kind;
        self
    }
    pub fn width(mut self, width: &'a str) -> Self {
        self.width = width;
        self
    }
    pub fn named(mut self, name: &'a str) -> Self {
        self.name = name;
        self
    }

    /// The form group around a control: label, hint, inline error, then the control.
    fn group(&self, error: Option<&str>, control: Markup) -> Markup {
        html! {
            div class=(group_class(error)) {
                label class="nhsuk-label" for=(self.id) { (self.label) }
                @if let Some(hint) = self.hint {
                    div class="nhsuk-hint" id=(format!("{}-hint", self.id)) { (hint) }
                }
                (inline_error(self.id, error))
                (control)
            }
        }
    }

    pub fn input(&self, form: &FormState) -> Markup {
        let error = form.error(self.id);
        let mut class = String::from("nhsuk-input");
        if !self.width.is_empty() {
            class.push_str(&format!(" nhsuk-input--width-{}", self.width));
        }
        if error.is_some() {
            class.push_str(" nhsuk-input--error");
        }
        self.group(
            error,
            html! {
                input class=(class) id=(self.id) name=(self.name) type=(self.kind)
                    value=(form.value(self.name))
                    data-weight[self.weight]
                    inputmode=[(self.weight || self.width == "3" || self.width == "4").then_some("numeric")]
                    autocomplete=[self.autocomplete]
                    spellcheck=[(self.kind == "email").then_some("false")]
                    aria-describedby=[described_by(self.id, self.hint, error)];
            },
        )
    }

    pub fn textarea(&self, form: &FormState) -> Markup {
        let error = form.error(self.id);
        self.group(
            error,
            html! {
                textarea class=(if error.is_some() { "nhsuk-textarea nhsuk-textarea--error" } else { "nhsuk-textarea" })
                    id=(self.id) name=(self.name) rows="5"
                    aria-describedby=[described_by(self.id, self.hint, error)] { (form.value(self.name)) }
            },
        )
    }

    pub fn select(&self, form: &FormState, options: &[(String, String)]) -> Markup {
        let error = form.error(self.id);
        let current = form.value(self.name);
        self.group(
            error,
            html! {
                select class=(if error.is_some() { "nhsuk-select nhsuk-select--error" } else { "nhsuk-select" })
                    id=(self.id) name=(self.name)
                    aria-describedby=[described_by(self.id, self.hint, error)] {
                    @for (value, label) in options {
                        option value=(value) selected[value == current] { (label) }
                    }
                }
            },
        )
    }
}

/// A form's hidden CSRF field.
pub fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(csrf); }
}

/// Select options: an empty choice labelled `first`, then `options`.
pub fn choices(
    first: &str,
    options: impl IntoIterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), first.to_owned()))
        .chain(options)
        .collect()
}

/// The catalogue's categories as select options (code, name).
pub async fn category_options(ctx: &Ctx) -> Result<Vec<(String, String)>, ServiceError> {
    Ok(service::reference::categories(&ctx.state.ctx)
        .await?
        .into_iter()
        .map(|c| (c.code, c.name))
        .collect())
}

/// NHS England's regions as select options (code, name).
pub fn region_options() -> Vec<(String, String)> {
    domain::organisation::Region::ALL
        .iter()
        .map(|r| (r.code().to_owned(), r.name().to_owned()))
        .collect()
}

/// The suppliers still trading (not merged into another), as select options after `first`.
pub async fn trading_suppliers(
    ctx: &Ctx,
    first: &str,
) -> Result<Vec<(String, String)>, ServiceError> {
    let suppliers = service::reference::suppliers(&ctx.state.ctx, true).await?;
    Ok(choices(
        first,
        suppliers
            .into_iter()
            .map(|s| (s.id.as_uuid().to_string(), s.name)),
    ))
}

/// The buyer organisations in the marketplace today (none succeeded by another), as (id, name).
pub async fn current_buyers(ctx: &Ctx) -> Result<Vec<(String, String)>, ServiceError> {
    Ok(service::reference::buyers(&ctx.state.ctx)
        .await?
        .into_iter()
        .map(|b| (b.id.as_uuid().to_string(), b.name))
        .collect())
}

/// An edit form around `fields`: the error summary and heading, the CSRF token, the version being
/// edited (when it is an edit, for the stale-write check) and the title every edit form starts
/// with; the button says what saving does.
pub fn edit_form(
    ctx: &Ctx,
    heading: &str,
    action: &str,
    form: &FormState,
    fields: Markup,
    save: &str,
) -> Markup {
    html! {
        (error_summary(&form.problems))
        h1 { (heading) }
        form method="post" action=(action) novalidate {
            (csrf_field(&ctx.csrf))
            @if !form.value("version").is_empty() {
                input type="hidden" name="version" value=(form.value("version"));
            }
            (Field::new("title", "Title").input(form))
            (fields)
            button class="nhsuk-button" type="submit" { (save) }
        }
    }
}

/// The page number asked for in the address: 1 when absent or unreadable, at most `last`.
pub fn page_number(params: &HashMap<String, String>, last: u64) -> u64 {
    params
        .get("page")
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .clamp(1, last)
}
