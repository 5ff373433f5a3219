//! Embeds the NHS.UK frontend in the binary. Installs it with npm from the committed lockfile
//! when it is missing (a fresh clone), then writes the stylesheet without its web-font rules —
//! they would load Frutiger from a CDN at run time; the design system falls back to Arial — and
//! a table of every embedded asset for `web.rs`.

use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() -> Result<(), Box<dyn Error>> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    let web = manifest.join("../../web");
    println!(
        "cargo:rerun-if-changed={}",
        web.join("package-lock.json").display()
    );
    let dist = web.join("node_modules/nhsuk-frontend/dist/nhsuk");
    println!("cargo:rerun-if-changed={}", dist.display());
    // axe-core (a development dependency) is what the browser tests check every page with.
    let axe = web.join("node_modules/axe-core/axe.min.js");
    if !dist.join("nhsuk-frontend.min.css").exists() || !axe.exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&web)
            .status()
            .map_err(|e| format!("cannot run npm (Node.js and npm are needed to build): {e}"))?;
        if !status.success() {
            return Err(format!("npm ci in {} failed: {status}", web.display()).into());
        }
    }

    let css = fs::read_to_string(dist.join("nhsuk-frontend.min.css"))?;
    fs::write(out.join("nhsuk-frontend.min.css"), without_cdn_fonts(&css))?;
    fs::copy(
        dist.join("nhsuk-frontend.min.js"),
        out.join("nhsuk-frontend.min.js"),
    )?;

    let mut table =
        String::from("/// Every embedded asset: path under `/assets/`, media type, bytes.\n");
    table.push_str("pub static ASSETS: &[(&str, &str, &[u8])] = &[\n");
    for (name, media) in [
        ("nhsuk-frontend.min.css", "text/css; charset=utf-8"),
        ("nhsuk-frontend.min.js", "text/javascript; charset=utf-8"),
    ] {
        writeln!(
            table,
            "    ({name:?}, {media:?}, include_bytes!({:?})),",
            out.join(name).display().to_string()
        )?;
    }
    // The service's own small stylesheet and script (navigation, charts, the criteria builder).
    for (name, media) in [
        ("marketplace.css", "text/css; charset=utf-8"),
        ("marketplace.js", "text/javascript; charset=utf-8"),
    ] {
        let source = web.join(name);
        println!("cargo:rerun-if-changed={}", source.display());
        writeln!(
            table,
            "    ({name:?}, {media:?}, include_bytes!({:?})),",
            source.canonicalize()?.display().to_string()
        )?;
    }
    let images = dist.join("assets/images");
    let mut names: Vec<String> = fs::read_dir(&images)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let media = match Path::new(&name).extension().and_then(|e| e.to_str()) {
            Some("svg") => "image/svg+xml",
            Some("png") => "image/png",
            Some("ico") => "image/x-icon",
            _ => continue,
        };
        writeln!(
            table,
            "    (\"images/{name}\", {media:?}, include_bytes!({:?})),",
            images.join(&name).display().to_string()
        )?;
    }
    table.push_str("];\n");
    fs::write(out.join("assets.rs"), table)?;
    Ok(())
}

/// The stylesheet without `@font-face` rules that point at another host.
fn without_cdn_fonts(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("@font-face{") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('}').map_or(after.len(), |i| i + 1);
        let rule = &after[..end];
        if !rule.contains("https://") && !rule.contains("http://") {
            out.push_str(rule);
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}
