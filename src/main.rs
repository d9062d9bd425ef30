//! The command line: parses arguments, calls the library, maps outcomes to exit codes
//! (0 ok, 1 validation or data errors, 2 usage or I/O errors).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use journeymap::diagnostics::{self, plural, Diagnostic};

#[derive(Parser)]
#[command(
    name = "journeymap",
    version,
    about = "Customer-journey specs and analytics exports → a static journey-map site with KPIs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scaffold a new project (a small working example)
    Init {
        /// Directory to create the project in
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Validate specs and data; the CI gate
    Check {
        /// Project directory (holds journeymap.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Fail (exit 1) on warnings and missed targets too
        #[arg(long)]
        strict: bool,
        /// Output format of the diagnostics
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Build the static site
    Build {
        /// Project directory (holds journeymap.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output directory (default: public/ in the project)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Base URL for sitemap.xml and canonical links (overrides journeymap.toml)
        #[arg(long)]
        base_url: Option<String>,
        /// A kpis.json published earlier: the pages show how the numbers moved since
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
    },
    /// Preview the site with live reload
    Serve {
        /// Project directory (holds journeymap.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Port to listen on
        #[arg(long, default_value_t = 4400)]
        port: u16,
        /// Address to bind
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
        /// Open the site in the default browser
        #[arg(long)]
        open: bool,
    },
    /// What changed between two versions of a project: its spec and its KPIs
    Diff {
        /// The old side: a kpis.json, a project directory, or git:REV (the project at a revision)
        old: String,
        /// The new side, in the same forms (default: the project as it is on disk)
        new: Option<String>,
        /// The project whose git history `git:REV` reads (default: NEW when it is a
        /// directory, else the current directory)
        #[arg(long)]
        project: Option<PathBuf>,
        /// human: for a terminal; markdown: a pull-request comment; json: for programs
        #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
        format: DiffFormat,
        /// Exit 1 when a target met on the old side is missed on the new one
        #[arg(long)]
        fail_on_regression: bool,
    },
    /// Print the computed KPIs
    Kpis {
        /// Project directory (holds journeymap.toml)
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Only this journey (and only its warnings)
        #[arg(long)]
        journey: Option<String>,
        /// json: the kpis.json document; table: a summary to read; csv: the funnel steps
        #[arg(long, value_enum, default_value_t = KpiFormat::Json)]
        format: KpiFormat,
    },
}

/// How `check` prints its diagnostics.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// Messages with the source line and a caret, on stderr
    Human,
    /// One JSON document on stdout: ok, errors, warnings, targets
    Json,
    /// GitHub Actions annotations on stdout
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum DiffFormat {
    Human,
    Markdown,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum KpiFormat {
    Json,
    Csv,
    Table,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Init { dir } => init(dir),
        Command::Check { dir, strict, format } => check(dir, strict, format),
        Command::Kpis { dir, journey, format } => kpis(dir, journey, format),
        Command::Build {
            dir,
            output,
            base_url,
            baseline,
        } => build(dir, output, base_url, baseline),
        Command::Serve { dir, port, bind, open } => serve(dir, port, bind, open),
        Command::Diff {
            old,
            new,
            project,
            format,
            fail_on_regression,
        } => diff(&old, new.as_deref(), project, format, fail_on_regression),
    }
}

fn init(dir: PathBuf) -> ExitCode {
    match journeymap::init::init(&dir) {
        Ok(files) => {
            for f in files {
                println!("created {}", f.display());
            }
            println!("\nnext: journeymap check {0} && journeymap serve {0}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn print_diagnostics(diags: &[Diagnostic], format: Format) {
    match format {
        Format::Human => {
            let _ = std::io::stderr().write_all(diagnostics::render_human(diags, diagnostics::use_colour()).as_bytes());
        }
        Format::Github => print!("{}", diagnostics::render_github(diags)),
        Format::Json => unreachable!("json is one document, printed by the caller"),
    }
}

fn check(dir: PathBuf, strict: bool, format: Format) -> ExitCode {
    let (analysis, diags) = journeymap::analyse(&dir);
    let errors = diags.errors().count();
    let warnings = diags.warnings().count();
    let failed = errors > 0 || (strict && warnings > 0);
    match format {
        Format::Json => {
            let targets: Vec<serde_json::Value> = analysis
                .iter()
                .flat_map(|a| &a.kpis.journeys)
                .flat_map(|j| {
                    j.targets.iter().map(|t| {
                        let mut v = serde_json::to_value(t).expect("targets serialize");
                        v["journey"] = j.id.clone().into();
                        v
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "ok": !failed,
                "errors": diags.errors().collect::<Vec<_>>(),
                "warnings": diags.warnings().collect::<Vec<_>>(),
                "targets": targets,
            });
            println!("{}", serde_json::to_string_pretty(&doc).expect("diagnostics serialize"));
        }
        _ => {
            print_diagnostics(&diags.items, format);
            if format == Format::Human {
                match &analysis {
                    Some(a) if !failed => eprintln!(
                        "check ok: {}, {}",
                        plural(a.project.journeys.len() as u64, "journey"),
                        plural(warnings as u64, "warning")
                    ),
                    _ => eprintln!(
                        "check failed: {}, {}",
                        plural(errors as u64, "error"),
                        plural(warnings as u64, "warning")
                    ),
                }
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The files of a journey: its spec and its data exports, as messages name them.
fn journey_files(j: &journeymap::spec::Journey) -> Vec<&str> {
    let mut files = vec![j.file.as_str()];
    files.extend(j.events.iter().map(|e| e.file.display.as_str()));
    files.extend(j.metrics.iter().chain(&j.cohorts).map(|f| f.display.as_str()));
    files
}

/// Whether a diagnostic is about journey `id` or the whole project, not another journey.
fn concerns(d: &Diagnostic, project: &journeymap::spec::Project, id: &str) -> bool {
    let Some(file) = d.location.as_ref().map(|l| l.file.as_str()) else {
        return true;
    };
    let (mine, others): (Vec<_>, Vec<_>) = project.journeys.iter().partition(|j| j.id == id);
    mine.iter().any(|j| journey_files(j).contains(&file)) || !others.iter().any(|j| journey_files(j).contains(&file))
}

fn kpis(dir: PathBuf, only: Option<String>, format: KpiFormat) -> ExitCode {
    let (analysis, diags) = journeymap::analyse(&dir);
    let Some(mut analysis) = analysis else {
        print_diagnostics(&diags.items, Format::Human);
        return ExitCode::from(1);
    };
    if let Some(id) = &only {
        let ids: Vec<&str> = analysis.project.journeys.iter().map(|j| j.id.as_str()).collect();
        if !ids.contains(&id.as_str()) {
            let hint = diagnostics::did_you_mean(id, ids.iter().copied())
                .unwrap_or_else(|| format!("journeys: {}", ids.join(", ")));
            eprintln!("error: no journey `{id}` in this project ({hint})");
            return ExitCode::from(2);
        }
        let mine: Vec<Diagnostic> = diags
            .items
            .into_iter()
            .filter(|d| concerns(d, &analysis.project, id))
            .collect();
        print_diagnostics(&mine, Format::Human);
        analysis.kpis.journeys.retain(|j| &j.id == id);
    } else {
        print_diagnostics(&diags.items, Format::Human);
    }
    let out = match format {
        KpiFormat::Json => serde_json::to_string_pretty(&analysis.kpis).expect("kpis serialize") + "\n",
        KpiFormat::Csv => journeymap::report::funnel_csv(&analysis.kpis),
        KpiFormat::Table => journeymap::report::table(&analysis.project, &analysis.kpis),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn build(dir: PathBuf, output: Option<PathBuf>, base_url: Option<String>, baseline: Option<PathBuf>) -> ExitCode {
    if let Some(Err(why)) = base_url.as_deref().map(journeymap::spec::check_base_url) {
        eprintln!("error: invalid --base-url: {why}");
        return ExitCode::from(2);
    }
    let baseline = match baseline {
        None => None,
        Some(path) => match std::fs::read_to_string(&path) {
            Err(e) => {
                eprintln!("error: cannot read the baseline `{}`: {e}", path.display());
                return ExitCode::from(2);
            }
            Ok(text) => match journeymap::site::BaselineFile::parse(&path, &text) {
                Ok(b) => Some(b),
                Err(d) => {
                    print_diagnostics(&[d], Format::Human);
                    eprintln!("build failed; the previous output is untouched");
                    return ExitCode::from(1);
                }
            },
        },
    };
    let start = std::time::Instant::now();
    let out = output.unwrap_or_else(|| dir.join("public"));
    // First, so that even a build that fails puts back a site an interrupted one left aside.
    if let Err(d) = journeymap::site::output::recover(&out) {
        print_diagnostics(&[d], Format::Human);
        return ExitCode::from(2);
    }
    let (analysis, diags) = journeymap::analyse(&dir);
    print_diagnostics(&diags.items, Format::Human);
    let Some(analysis) = analysis else {
        eprintln!(
            "build failed: {}; the previous output is untouched",
            plural(diags.errors().count() as u64, "error")
        );
        return ExitCode::from(1);
    };
    match journeymap::site::build(
        &analysis.project,
        &analysis.kpis,
        &out,
        base_url.as_deref(),
        baseline.as_ref(),
    ) {
        Ok(n) => {
            eprintln!(
                "built {} into {} in {} ms",
                plural(n as u64, "file"),
                out.display(),
                start.elapsed().as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(journeymap::site::BuildError::Render(d)) => {
            print_diagnostics(&d.items, Format::Human);
            eprintln!("build failed; the previous output is untouched");
            ExitCode::from(1)
        }
        Err(journeymap::site::BuildError::Output(d)) => {
            print_diagnostics(&[d], Format::Human);
            ExitCode::from(2)
        }
    }
}

fn serve(dir: PathBuf, port: u16, bind: String, open: bool) -> ExitCode {
    let Ok(bind) = bind.parse::<std::net::IpAddr>() else {
        eprintln!("error: --bind `{bind}` is not an IP address (e.g. 127.0.0.1 or ::1)");
        return ExitCode::from(2);
    };
    match journeymap::serve::serve(dir, journeymap::serve::Options { bind, port, open }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn diff(
    old: &str,
    new: Option<&str>,
    project: Option<PathBuf>,
    format: DiffFormat,
    fail_on_regression: bool,
) -> ExitCode {
    use journeymap::diff::{self, SideError, Source};
    let new = Source::parse(new.unwrap_or("."));
    let project = project.unwrap_or_else(|| match &new {
        Source::Dir(dir) => dir.clone(),
        _ => PathBuf::from("."),
    });
    let mut sides = Vec::new();
    for (which, source) in [("old", Source::parse(old)), ("new", new)] {
        match journeymap::diff_side(&source, &project) {
            Ok(side) => sides.push(side),
            Err(SideError::Unreadable(d)) => {
                print_diagnostics(&[d], Format::Human);
                return ExitCode::from(2);
            }
            Err(SideError::Invalid(diags)) => {
                let errors: Vec<Diagnostic> = diags.errors().cloned().collect();
                print_diagnostics(&errors, Format::Human);
                eprintln!(
                    "diff failed: the {which} side has {}",
                    plural(errors.len() as u64, "error")
                );
                return ExitCode::from(1);
            }
        }
    }
    let report = diff::compare(&sides[0], &sides[1]);
    let out = match format {
        DiffFormat::Human => diff::human(&report),
        DiffFormat::Markdown => diff::markdown(&report),
        DiffFormat::Json => diff::json(&report),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
        return ExitCode::from(2);
    }
    if fail_on_regression && report.regressions > 0 {
        eprintln!(
            "{} met before and missed now",
            plural(report.regressions as u64, "target")
        );
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
