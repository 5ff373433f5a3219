//! A real browser for the web interface's tests: Debian's headless Chromium driven through
//! chromedriver (WebDriver) with fantoccini. Every page a test visits can be checked with
//! axe-core (installed by npm beside the NHS.UK frontend) and photographed into
//! `target/browser-screenshots/`.

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A headless Chromium session and the chromedriver it talks through (stopped on drop).
pub struct Browser {
    pub client: Client,
    driver: Child,
    base: String,
    axe: String,
    shots: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap()
}

fn executable(env: &str, candidates: &[&str]) -> String {
    if let Ok(path) = std::env::var(env) {
        return path;
    }
    candidates
        .iter()
        .find(|c| std::path::Path::new(c).exists())
        .map(|c| (*c).to_owned())
        .unwrap_or_else(|| {
            panic!(
                "{} not found: install Debian's chromium and chromium-driver (./scripts/test does), or set {env}",
                candidates.join(" or ")
            )
        })
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session on `base`.
    pub async fn start(base: &str) -> Self {
        let driver_path = executable("CHROMEDRIVER", &["/usr/bin/chromedriver"]);
        let chromium = executable(
            "CHROMIUM",
            &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("no free port");
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_path}: {e}"));
        let webdriver = format!("http://127.0.0.1:{port}");
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_owned(),
            serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-dev-shm-usage",
                    "--window-size=1280,1000",
                ],
            }),
        );
        let mut client = None;
        for _ in 0..100 {
            match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&webdriver)
                .await
            {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let client = client.unwrap_or_else(|| panic!("chromedriver did not start on {webdriver}"));
        let axe_path = workspace_root().join("web/node_modules/axe-core/axe.min.js");
        let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (npm ci in web/ installs axe-core; building the api crate runs it)",
                axe_path.display()
            )
        });
        let shots = std::env::var("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|_| workspace_root().join("target"))
            .join("browser-screenshots");
        std::fs::create_dir_all(&shots).unwrap_or_else(|e| panic!("{}: {e}", shots.display()));
        Self {
            client,
            driver,
            base: base.to_owned(),
            axe,
            shots,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("goto {path}: {e}"));
    }

    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.path().to_owned())
            .unwrap()
    }

    pub async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    /// The visible text of the page's main content.
    pub async fn text(&self) -> String {
        self.client
            .execute("return document.querySelector('main').innerText;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap()
    }

    /// Types into a text input or text area (replacing what was there).
    pub async fn fill(&self, id: &str, value: &str) {
        let element = self
            .client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("no field #{id}: {e}"));
        element
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear #{id}: {e}"));
        element
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("type into #{id}: {e}"));
    }

    /// Sets a field that a person picks rather than types (a select, a date or time picker).
    pub async fn set(&self, id: &str, value: &str) {
        let set = self
            .client
            .execute(
                "const e = document.getElementById(arguments[0]); if (!e) { return false; } e.value = arguments[1]; e.dispatchEvent(new Event('change', {bubbles: true})); return e.value === arguments[1];",
                vec![serde_json::json!(id), serde_json::json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("set #{id}: {e}"));
        assert_eq!(set, serde_json::json!(true), "#{id} cannot take {value:?}");
    }

    /// Picks the option of a select whose text contains `text`.
    pub async fn choose(&self, id: &str, text: &str) {
        let chosen = self
            .client
            .execute(
                "const s = document.getElementById(arguments[0]); const o = Array.from(s.options).find(o => o.text.includes(arguments[1])); if (!o) { return false; } s.value = o.value; return true;",
                vec![serde_json::json!(id), serde_json::json!(text)],
            )
            .await
            .unwrap_or_else(|e| panic!("choose in #{id}: {e}"));
        assert_eq!(
            chosen,
            serde_json::json!(true),
            "#{id} has no option {text:?}"
        );
    }

    /// Clicks the first button whose text is `label` (and waits for the next page).
    pub async fn press(&self, label: &str) {
        let here = self.path().await;
        let button = self
            .client
            .find(Locator::XPath(&format!(
                "//button[normalize-space(.)={}]",
                xpath_literal(label)
            )))
            .await
            .unwrap_or_else(|e| panic!("no button {label:?} on {here}: {e}"));
        self.mark_page().await;
        button
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {label:?}: {e}"));
        self.wait_for_next_page(label).await;
    }

    /// Marks the page in the browser, so that the next one can be told from it.
    async fn mark_page(&self) {
        let _ = self.client.execute("window.mktOld = true;", vec![]).await;
    }

    /// Waits until a new page has replaced the marked one and finished loading.
    async fn wait_for_next_page(&self, what: &str) {
        for _ in 0..200 {
            let loaded = self
                .client
                .execute(
                    "return window.mktOld === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .unwrap();
            if loaded == serde_json::json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no new page after {what:?}");
    }

    /// Clicks the first link whose text contains `text`.
    pub async fn follow(&self, text: &str) {
        let here = self.path().await;
        let link = self
            .client
            .find(Locator::XPath(&format!(
                "//a[contains(normalize-space(.), {})]",
                xpath_literal(text)
            )))
            .await
            .unwrap_or_else(|e| panic!("no link {text:?} on {here}: {e}"));
        self.mark_page().await;
        link.click()
            .await
            .unwrap_or_else(|e| panic!("follow {text:?}: {e}"));
        self.wait_for_next_page(text).await;
    }

    /// Signs in afresh as `email` (the previous session's cookies are dropped first).
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.goto("/sign-in").await;
        self.client
            .delete_all_cookies()
            .await
            .expect("delete cookies");
        self.goto("/sign-in").await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.press("Sign in").await;
        assert_eq!(self.path().await, "/dashboard", "{email} is signed in");
    }

    /// Runs axe-core on the page (WCAG 2.0, 2.1 and 2.2, A and AA) and fails on any serious or
    /// critical violation; then writes a screenshot named `name`.
    pub async fn check(&self, name: &str) {
        self.client
            .execute(&self.axe, vec![])
            .await
            .expect("inject axe-core");
        let result = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                  .then(r => done(r.violations
                      .filter(v => v.impact === 'serious' || v.impact === 'critical')
                      .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(', '))))
                  .catch(e => done(['axe failed: ' + e]));"#,
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("run axe-core on {name}: {e}"));
        let violations: Vec<String> = serde_json::from_value(result).unwrap();
        self.screenshot(name).await;
        assert!(
            violations.is_empty(),
            "{name} ({}): {} serious or critical accessibility violations:\n{}",
            self.path().await,
            violations.len(),
            violations.join("\n")
        );
    }

    /// Writes a screenshot of the whole page (the window is stretched to the page's height for
    /// it, then put back).
    pub async fn screenshot(&self, name: &str) {
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(1000)
            .clamp(600, 8000) as u32;
        let _ = self.client.set_window_size(1280, height + 120).await;
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(self.shots.join(format!("{name}.png")), png);
        }
        let _ = self.client.set_window_size(1280, 1000).await;
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// A string as an XPath literal (XPath 1.0 has no escapes).
fn xpath_literal(text: &str) -> String {
    if !text.contains('"') {
        format!("\"{text}\"")
    } else if !text.contains('\'') {
        format!("'{text}'")
    } else {
        let parts: Vec<String> = text.split('"').map(|p| format!("\"{p}\"")).collect();
        format!("concat({})", parts.join(", '\"', "))
    }
}
