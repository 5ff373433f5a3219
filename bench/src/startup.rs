//! Cold start and idle memory: the real `marketplace` binary started on a fresh SQLite database
//! (so the start includes every migration), timed from the spawn until `/readyz` answers 200,
//! then its resident memory read from `/proc` after a second of idleness. Five starts; the
//! median and the worst are reported beside the targets (below 0.5 s and 50 MB).

use super::Failure;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One start: how long until ready, and the idle resident set in KiB.
async fn start_once(binary: &str) -> Result<(Duration, u64), Failure> {
    let dir = std::env::temp_dir().join(format!("mkt-startup-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let began = Instant::now();
    let mut child = Command::new(binary)
        .arg("serve")
        .env(
            "DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("m.db").display()),
        )
        .env("MARKETPLACE_BIND", "127.0.0.1:0")
        .env(
            "MARKETPLACE_JWT_SECRET",
            "startup-benchmark-secret-long-enough-for-hs256",
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("Marketplace ready: ") {
                let _ = sender.send(url.trim_end_matches('/').to_owned());
            }
        }
    });
    let base = receiver.recv_timeout(Duration::from_secs(30))?;
    let client = reqwest::Client::new();
    let ready = loop {
        let answer = client.get(format!("{base}/readyz")).send().await;
        if answer.is_ok_and(|r| r.status().is_success()) {
            break began.elapsed();
        }
        if began.elapsed() > Duration::from_secs(30) {
            return Err("the server was not ready within 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()))?;
    let rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or("no VmRSS in /proc")?;
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    Ok((ready, rss_kib))
}

/// The report's rows for `binary`, started `runs` times.
pub async fn run(binary: &str, runs: usize) -> Result<String, Failure> {
    let mut starts = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs {
        let (ready, kib) = start_once(binary).await?;
        starts.push(ready);
        rss.push(kib);
    }
    starts.sort();
    rss.sort_unstable();
    let median = starts[starts.len() / 2];
    let worst = starts[starts.len() - 1];
    let mb = |kib: u64| kib as f64 / 1024.0;
    Ok(format!(
        "| scenario | median | worst | target |\n|---|---|---|---|\n\
         | cold start to ready, fresh SQLite (every migration) | {:.0} ms | {:.0} ms | < 500 ms |\n\
         | idle resident memory after start | {:.1} MB | {:.1} MB | < 50 MB |\n",
        median.as_secs_f64() * 1000.0,
        worst.as_secs_f64() * 1000.0,
        mb(rss[rss.len() / 2]),
        mb(rss[rss.len() - 1]),
    ))
}
