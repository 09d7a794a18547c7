//! The one place that installs and runs the project's external tools: Redocly CLI, Spectral and
//! the Prism mock server (pinned in `package.json`), openapi-spec-validator (pinned in
//! `requirements-dev.txt`) and the system's headless Chromium. Used by `cargo xtask spec`, `cargo xtask test` and the workspace tests.
//!
//! Every external process runs with a time limit and is killed when it overruns, so a hung tool
//! fails the build with a message instead of stalling it.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context as _, bail};

/// Redocly's lint configuration, relative to the repository root.
pub const REDOCLY_CONFIG: &str = "redocly.yaml";
/// Spectral's ruleset (the stock `spectral:oas`), relative to the repository root.
pub const SPECTRAL_RULESET: &str = ".spectral.yaml";
/// The pinned Python tools, relative to the repository root.
pub const PYTHON_REQUIREMENTS: &str = "requirements-dev.txt";
/// The virtual environment the Python tools are installed into, relative to the repository root.
pub const VENV_DIR: &str = ".venv";
/// Where Debian's `chromium` package installs the browser.
pub const CHROMIUM_PATH: &str = "/usr/bin/chromium";

/// How long `npm ci` or `pip install` may take (they download packages).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(600);
/// How long one run of a linter or of Redocly's bundler and page builder may take.
const TOOL_TIMEOUT: Duration = Duration::from_secs(180);
/// How long headless Chromium may take to load, render and dump one page.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);
/// Virtual time Chromium gives the page's scripts before it dumps the DOM. Redoc renders in
/// well under a second of it; virtual time passes as fast as the page allows.
const BROWSER_VIRTUAL_TIME_MS: u32 = 15_000;

/// What a finished external command printed.
#[derive(Debug, Clone)]
pub struct Finished {
    /// How the command exited.
    pub status: ExitStatus,
    /// Everything it wrote to standard output.
    pub stdout: String,
    /// Everything it wrote to standard error.
    pub stderr: String,
}

impl Finished {
    /// Standard output then standard error, without blank lines and without the box Redocly CLI
    /// draws around its notices (the Node.js 20 deprecation notice, for one).
    pub fn text(&self) -> String {
        let mut text = String::new();
        for line in self.stdout.lines().chain(self.stderr.lines()) {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with(['║', '╔', '╚']) {
                continue;
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }

    /// Fails with `what` and the command's output unless it exited successfully.
    pub fn ensure_success(self, what: &str) -> anyhow::Result<Self> {
        if !self.status.success() {
            bail!("{what} failed ({}):\n{}", self.status, self.text());
        }
        Ok(self)
    }
}

/// Runs `command` to completion with no standard input, capturing its output, and kills it if it
/// is still running after `timeout`.
pub fn run_bounded(command: &mut Command, timeout: Duration) -> anyhow::Result<Finished> {
    run_limited(command, timeout, false)
}

/// [`run_bounded`], and with `as_group` the command leads a new process group that is killed as
/// a whole, so no helper process (a browser's renderers, say) outlives a timeout.
fn run_limited(
    command: &mut Command,
    timeout: Duration,
    as_group: bool,
) -> anyhow::Result<Finished> {
    let name = describe(command);
    #[cfg(unix)]
    if as_group {
        std::os::unix::process::CommandExt::process_group(command, 0);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child
            .try_wait()
            .with_context(|| format!("waiting for {name}"))?
        {
            break status;
        }
        if Instant::now() >= deadline {
            // The group is killed before its leader is reaped, while its id cannot be reused.
            if as_group {
                kill_group(child.id());
            }
            let _ = child.kill();
            let _ = child.wait();
            let partial = collect(&stderr, Duration::from_secs(2));
            bail!(
                "{name} did not finish within {timeout:?} and was killed; its last output:\n{}",
                tail(&partial, 20)
            );
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    // A helper process that inherited the pipes can keep them open after the command exits;
    // give it a moment, then end the command's process group (if it leads one) and move on.
    let mut grace = Duration::from_secs(10);
    let mut outputs = [String::new(), String::new()];
    for (slot, receiver) in outputs.iter_mut().zip([&stdout, &stderr]) {
        match receiver.recv_timeout(grace) {
            Ok(text) => *slot = text,
            Err(_) => {
                if as_group {
                    kill_group(child.id());
                }
                grace = Duration::from_secs(2);
                *slot = receiver.recv_timeout(grace).unwrap_or_default();
            }
        }
    }
    let [stdout, stderr] = outputs;
    Ok(Finished {
        status,
        stdout,
        stderr,
    })
}

fn read_in_background(pipe: Option<impl std::io::Read + Send + 'static>) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            let _ = sender.send(String::from_utf8_lossy(&bytes).into_owned());
        });
    } else {
        let _ = sender.send(String::new());
    }
    receiver
}

fn collect(receiver: &mpsc::Receiver<String>, wait: Duration) -> String {
    receiver.recv_timeout(wait).unwrap_or_default()
}

/// Sends SIGKILL to the process group led by `pid`, which [`run_limited`] started.
fn kill_group(pid: u32) {
    if cfg!(unix) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program());
    let name = program
        .file_name()
        .unwrap_or(program.as_os_str())
        .to_string_lossy();
    let first = command
        .get_args()
        .next()
        .map(|a| a.to_string_lossy().into_owned());
    match first {
        Some(first) if !first.starts_with('-') => format!("`{name} {first}`"),
        _ => format!("`{name}`"),
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Installs the pinned Node tools with `npm ci` when `node_modules` is missing or older than
/// `package.json` or `package-lock.json`. npm's warning "Unknown user config nodedir" is harmless.
pub fn ensure_node_tools(root: &Path) -> anyhow::Result<()> {
    let redocly_bin = redocly_path(root);
    ensure_npm_packages(root, &redocly_bin, &[])?;
    if !redocly_bin.exists() {
        bail!(
            "`npm ci` succeeded but {} is missing",
            redocly_bin.display()
        );
    }
    Ok(())
}

/// Runs `npm ci` (with `extra` arguments) in `dir` when `expected` is missing or its
/// `node_modules` is older than `package.json` or `package-lock.json` there.
pub fn ensure_npm_packages(dir: &Path, expected: &Path, extra: &[&str]) -> anyhow::Result<()> {
    let installed = dir.join("node_modules/.package-lock.json");
    let stale = !expected.exists()
        || ["package-lock.json", "package.json"]
            .iter()
            .any(|file| newer_than(&dir.join(file), &installed));
    if !stale {
        return Ok(());
    }
    eprintln!(
        "installing the pinned npm packages of {} (npm ci)…",
        dir.display()
    );
    let mut npm = Command::new(if cfg!(windows) { "npm.cmd" } else { "npm" });
    npm.args(["ci", "--no-audit", "--no-fund"])
        .args(extra)
        .current_dir(dir);
    run_bounded(&mut npm, INSTALL_TIMEOUT)
        .context("running npm (install Node.js 20.19+ or 22.12+ with npm)")?
        .ensure_success("`npm ci`")?;
    Ok(())
}

/// True when `file` was modified after `reference`, or when `reference` is missing.
fn newer_than(file: &Path, reference: &Path) -> bool {
    let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    match (modified(file), modified(reference)) {
        (_, None) => true,
        (Some(file), Some(reference)) => file > reference,
        (None, Some(_)) => false,
    }
}

fn redocly_path(root: &Path) -> PathBuf {
    root.join("node_modules/.bin").join(if cfg!(windows) {
        "redocly.cmd"
    } else {
        "redocly"
    })
}

/// The pinned Redocly CLI (`node_modules/.bin/redocly`), run from the repository root with its
/// telemetry and update check turned off. Call [`ensure_node_tools`] first.
pub fn redocly(root: &Path) -> Command {
    let mut command = Command::new(redocly_path(root));
    command
        .current_dir(root)
        .env("REDOCLY_TELEMETRY", "off")
        .env("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
    command
}

/// Runs a Redocly CLI command built by `configure` on [`redocly`], with the tool time limit, and
/// fails with its output unless it succeeds.
pub fn run_redocly(
    root: &Path,
    what: &str,
    configure: impl FnOnce(&mut Command),
) -> anyhow::Result<Finished> {
    let mut command = redocly(root);
    configure(&mut command);
    run_bounded(&mut command, TOOL_TIMEOUT)?.ensure_success(what)
}

/// Creates `.venv` with `python3 -m venv` and installs `requirements-dev.txt` into it when the
/// environment is missing or was installed from a different requirements file. Returns the
/// environment's `bin` directory.
pub fn ensure_python_tools(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = root.join(VENV_DIR);
    let bin = venv.join(if cfg!(windows) { "Scripts" } else { "bin" });
    let python = bin.join(if cfg!(windows) {
        "python.exe"
    } else {
        "python"
    });
    let requirements_path = root.join(PYTHON_REQUIREMENTS);
    let requirements = std::fs::read_to_string(&requirements_path)
        .with_context(|| format!("reading {}", requirements_path.display()))?;
    // The stamp holds the requirements the environment was installed from.
    let stamp = venv.join(".requirements-dev.installed");
    let validator = bin.join(validator_name());
    if python.exists()
        && validator.exists()
        && std::fs::read_to_string(&stamp).ok().as_deref() == Some(requirements.as_str())
    {
        return Ok(bin);
    }
    if !python.exists() {
        eprintln!("creating the Python environment {VENV_DIR}…");
        let mut venv_command = Command::new(if cfg!(windows) { "python" } else { "python3" });
        venv_command
            .args(["-m", "venv", VENV_DIR])
            .current_dir(root);
        run_bounded(&mut venv_command, INSTALL_TIMEOUT)
            .context("running python3 (install Python 3 with its venv module)")?
            .ensure_success("`python3 -m venv .venv` (on Debian, install python3-venv)")?;
    }
    eprintln!("installing the pinned Python tools ({PYTHON_REQUIREMENTS})…");
    let mut pip = Command::new(&python);
    pip.args(["-m", "pip", "install", "--quiet", "-r", PYTHON_REQUIREMENTS])
        .current_dir(root);
    run_bounded(&mut pip, INSTALL_TIMEOUT)?
        .ensure_success("`pip install -r requirements-dev.txt`")?;
    std::fs::write(&stamp, &requirements)
        .with_context(|| format!("writing {}", stamp.display()))?;
    Ok(bin)
}

fn validator_name() -> &'static str {
    if cfg!(windows) {
        "openapi-spec-validator.exe"
    } else {
        "openapi-spec-validator"
    }
}

/// Lints `path` (the source spec, or a bundle of it such as `dist/gtmhub.json`) with the three
/// pinned linters, each with its stock rules and no ignore list: Redocly (`redocly.yaml`:
/// `recommended`, stricter on examples), Spectral (`.spectral.yaml`: `spectral:oas`) and
/// openapi-spec-validator. Warnings pass; any error fails, with the failing linters' output.
pub fn lint_spec(root: &Path, path: &Path) -> anyhow::Result<()> {
    ensure_node_tools(root)?;
    let bin = ensure_python_tools(root)?;
    let path =
        std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))?;
    if !path.is_file() {
        bail!("cannot lint {}: no such file", path.display());
    }

    let mut redocly_run = redocly(root);
    redocly_run
        .arg("lint")
        .arg("--config")
        .arg(root.join(REDOCLY_CONFIG))
        .arg(&path);
    let mut spectral_run = node_tool(root, "spectral");
    spectral_run
        .args(["lint", "--fail-severity", "error", "--ruleset"])
        .arg(root.join(SPECTRAL_RULESET))
        .arg(&path);
    let mut validator_run = Command::new(bin.join(validator_name()));
    validator_run.arg(&path).current_dir(root);

    let mut failures = Vec::new();
    for (name, command) in [
        ("redocly lint", &mut redocly_run),
        ("spectral lint", &mut spectral_run),
        ("openapi-spec-validator", &mut validator_run),
    ] {
        let finished = run_bounded(command, TOOL_TIMEOUT)?;
        if !finished.status.success() {
            failures.push(format!(
                "{name} ({}):\n{}",
                finished.status,
                finished.text()
            ));
        }
    }
    if !failures.is_empty() {
        bail!(
            "{} does not pass lint:\n{}",
            path.display(),
            failures.join("\n")
        );
    }
    Ok(())
}

/// A pinned Node tool from the root `package.json` (`node_modules/.bin/<name>`), run from the
/// repository root. Call [`ensure_node_tools`] first.
pub fn node_tool(root: &Path, name: &str) -> Command {
    let mut command = Command::new(root.join("node_modules/.bin").join(if cfg!(windows) {
        format!("{name}.cmd")
    } else {
        name.to_owned()
    }));
    command.current_dir(root);
    command
}

/// A long-running tool (a mock server) in its own process group, its output going to a log
/// file; the whole group is killed when this is dropped, so no server outlives its test.
pub struct Background {
    child: std::process::Child,
    log: PathBuf,
    _scratch: Scratch,
}

impl Background {
    /// Starts `command`, writing its standard output and error to a log file.
    pub fn start(command: &mut Command, purpose: &str) -> anyhow::Result<Self> {
        let scratch = Scratch::new(purpose)?;
        let log = scratch.0.join("output.log");
        let file = std::fs::File::create(&log)?;
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(command, 0);
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .with_context(|| format!("starting {}", describe(command)))?;
        Ok(Self {
            child,
            log,
            _scratch: scratch,
        })
    }

    /// Waits until something accepts connections on `127.0.0.1:port`, failing with the tool's
    /// output when it exits first or `timeout` passes.
    pub fn wait_for_port(&mut self, port: u16, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the tool exited ({status}) before listening:\n{}",
                    self.output()
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "the tool did not listen on port {port} within {timeout:?}:\n{}",
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The last lines the tool printed.
    pub fn output(&self) -> String {
        tail(&std::fs::read_to_string(&self.log).unwrap_or_default(), 40)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        kill_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The pinned Prism mock server serving `spec` on `127.0.0.1:port`: the document's examples,
/// or with `dynamic` bodies generated from its schemas. Call [`ensure_node_tools`] first.
pub fn prism(root: &Path, spec: &Path, port: u16, dynamic: bool) -> Command {
    let mut command = node_tool(root, "prism");
    command
        .args(["mock", "--host", "127.0.0.1", "--port", &port.to_string()])
        .args(if dynamic { &["--dynamic"][..] } else { &[] })
        .arg(spec);
    command
}

/// A fresh directory under the system's temporary directory, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// Creates an empty directory named after `purpose` (see [`unique_name`]).
    pub fn new(purpose: &str) -> anyhow::Result<Self> {
        let dir = std::env::temp_dir().join(unique_name(purpose));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Self(dir))
    }
}

/// A file name that no other call, thread or process uses at the same time: `purpose`, this
/// process's id, a counter and the clock's nanoseconds.
pub fn unique_name(purpose: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "xtask-{purpose}-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Debian's Chromium at [`CHROMIUM_PATH`], or else `chromium` on `PATH`.
pub fn find_chromium() -> Option<PathBuf> {
    let fixed = PathBuf::from(CHROMIUM_PATH);
    if fixed.is_file() {
        return Some(fixed);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.is_file())
}

/// The browser's version line, such as "Chromium 156.0.8078.79 built on Debian GNU/Linux 12".
pub fn chromium_version(chromium: &Path) -> anyhow::Result<String> {
    let mut command = Command::new(chromium);
    command.arg("--version");
    let finished =
        run_bounded(&mut command, BROWSER_TIMEOUT)?.ensure_success("`chromium --version`")?;
    Ok(finished.stdout.trim().to_owned())
}

/// A headless Chromium command with a fresh profile in `profile`, the browser's own background
/// traffic turned off, and every network request of the page blocked: host names resolve to
/// nothing and any connection goes to a closed port on the loopback interface. A page that
/// renders under this command needs no network. [`render_offline`] runs it.
pub fn headless_chromium(chromium: &Path, profile: &Path) -> Command {
    let mut command = Command::new(chromium);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-crash-reporter",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// What headless Chromium saw on a page.
#[derive(Debug, Clone)]
pub struct RenderedPage {
    /// The DOM after the page's scripts ran, serialised as HTML.
    pub dom: String,
    /// The messages the page logged to its console (errors and Content-Security-Policy reports
    /// included), one per entry.
    pub console: Vec<String>,
}

/// Opens `url` in [`headless_chromium`] with the network blocked and a 1400×1000 window, lets the
/// page's scripts run, and returns the rendered DOM; with `screenshot`, also saves a PNG of the
/// window there.
pub fn render_offline(
    chromium: &Path,
    url: &str,
    screenshot: Option<&Path>,
) -> anyhow::Result<RenderedPage> {
    let profile = Scratch::new("chromium-profile")?;
    let mut command = headless_chromium(chromium, &profile.0);
    command.arg(format!("--virtual-time-budget={BROWSER_VIRTUAL_TIME_MS}"));
    command.arg("--window-size=1400,1000");
    if let Some(screenshot) = screenshot {
        command.arg(format!("--screenshot={}", screenshot.display()));
    }
    command.arg("--dump-dom").arg(url);
    let finished = run_limited(&mut command, BROWSER_TIMEOUT, true)?;
    if !finished.status.success() || !finished.stdout.contains("</html>") {
        bail!(
            "headless Chromium could not render {url} ({}):\n{}",
            finished.status,
            tail(&finished.stderr, 30)
        );
    }
    let console = finished
        .stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(|line| {
            line.split_once("] ")
                .map_or(line, |(_, message)| message)
                .to_owned()
        })
        .collect();
    Ok(RenderedPage {
        dom: finished.stdout,
        console,
    })
}

/// A `file://` URL for an absolute path, with the characters that would change its meaning
/// percent-encoded.
pub fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_string_lossy().bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                url.push(byte as char);
            }
            other => url.push_str(&format!("%{other:02X}")),
        }
    }
    url
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn output_and_exit_status_are_captured_and_a_failure_shows_them() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo out; echo err >&2; exit 3"]);
        let finished = run_bounded(&mut command, Duration::from_secs(30)).unwrap();
        assert_eq!(finished.status.code(), Some(3));
        assert_eq!(
            (finished.stdout.as_str(), finished.stderr.as_str()),
            ("out\n", "err\n")
        );
        let error = finished
            .ensure_success("the script")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("the script failed") && error.contains("out\nerr"),
            "{error}"
        );
    }

    #[test]
    fn a_hung_command_is_killed_with_its_whole_group_at_the_time_limit() {
        let started = Instant::now();
        let mut command = Command::new("sh");
        // The background sleep holds the output pipe: its output arrives only if the whole
        // group was killed.
        command.args(["-c", "echo started >&2; sleep 30 & sleep 30"]);
        let error = run_limited(&mut command, Duration::from_millis(300), true).unwrap_err();
        let error = error.to_string();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "took {:?}",
            started.elapsed()
        );
        assert!(
            error.contains("did not finish within 300ms and was killed"),
            "{error}"
        );
        assert!(error.contains("started"), "{error}");
    }

    #[test]
    fn file_urls_encode_what_would_change_their_meaning() {
        assert_eq!(
            file_url(Path::new("/a b/c#d.html")),
            "file:///a%20b/c%23d.html"
        );
    }
}
