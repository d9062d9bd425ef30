//! The command line: parses arguments, calls the library, maps outcomes to exit codes
//! (0 ok, 1 validation or data errors, 2 usage or I/O errors).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use journeymap::diagnostics::{self, Diagnostic, Format};

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
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output directory (default: public/ in the project)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Base URL for sitemap.xml and canonical links (overrides journeymap.toml)
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Preview the site with live reload
    Serve {
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
    /// Print the computed KPIs
    Kpis {
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Only this journey
        #[arg(long)]
        journey: Option<String>,
        #[arg(long, value_enum, default_value_t = KpiFormat::Json)]
        format: KpiFormat,
    },
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
        Command::Build { .. } | Command::Serve { .. } | Command::Kpis { .. } => {
            eprintln!("error: this command is not yet available in this version of journeymap");
            ExitCode::from(2)
        }
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
    let (project, diags) = journeymap::check(&dir);
    let errors = diags.errors().count();
    let warnings = diags.warnings().count();
    let failed = errors > 0 || (strict && warnings > 0);
    match format {
        Format::Json => {
            let doc = serde_json::json!({
                "ok": !failed,
                "errors": diags.errors().collect::<Vec<_>>(),
                "warnings": diags.warnings().collect::<Vec<_>>(),
            });
            println!("{}", serde_json::to_string_pretty(&doc).expect("diagnostics serialize"));
        }
        _ => {
            print_diagnostics(&diags.items, format);
            if format == Format::Human {
                match &project {
                    Some(p) if !failed => eprintln!("check ok: {} journeys, {warnings} warnings", p.journeys.len()),
                    _ => eprintln!("check failed: {errors} errors, {warnings} warnings"),
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
