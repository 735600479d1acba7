//! `meterscope`: decode meter frames from the command line.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use meterscope_core::{Lang, Options, Registry};

mod render;

#[derive(Parser)]
#[command(
    name = "meterscope",
    version,
    about = "Smart-meter protocol workbench: decode DL/T 645, DL/T 698.45, DLMS/COSEM, IEC 62056-21 and DSMR frames"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode hex (any common shape), a hexdump, base64 or a text telegram.
    ///
    /// Exit code: 0 when every frame is valid, 1 when any frame is not, 2 for unusable input.
    Decode {
        /// Protocol: `auto` or a name from `meterscope protocols`.
        #[arg(long, short, default_value = "auto")]
        protocol: String,
        /// Print the dissection as JSON.
        #[arg(long)]
        json: bool,
        /// Language of labels and messages: en or zh.
        #[arg(long, default_value = "en")]
        lang: String,
        /// Strict policy: warnings make a frame invalid too.
        #[arg(long)]
        strict: bool,
        /// Read the input from a file.
        #[arg(long, short, conflicts_with = "input")]
        file: Option<std::path::PathBuf>,
        /// The input; `-` or nothing reads standard input. Several words are joined with spaces.
        input: Vec<String>,
    },
    /// List the protocols the decoder knows.
    Protocols,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Protocols => {
            let reg = Registry::default();
            for p in reg.protocols() {
                println!("{:<16} {}", p.name(), p.title(Lang::En));
            }
            if reg.names().is_empty() {
                println!("(no protocol dissectors yet: every input decodes as unknown bytes)");
            }
            ExitCode::SUCCESS
        }
        Command::Decode { protocol, json, lang, strict, file, input } => {
            match decode(&protocol, json, &lang, strict, file.as_deref(), &input) {
                Ok(code) => ExitCode::from(code),
                Err(message) => {
                    eprintln!("meterscope: {message}");
                    ExitCode::from(2)
                }
            }
        }
    }
}

fn decode(
    protocol: &str,
    json: bool,
    lang: &str,
    strict: bool,
    file: Option<&std::path::Path>,
    input: &[String],
) -> Result<u8, String> {
    let lang: Lang = lang.parse()?;
    let registry = Registry::default();
    if protocol != "auto" && registry.get(protocol).is_none() {
        let mut names = registry.names();
        names.insert(0, "auto");
        return Err(format!("unknown protocol '{protocol}' (known: {})", names.join(", ")));
    }
    let text = match (file, input) {
        (Some(path), _) => std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        (None, []) => read_stdin()?,
        (None, [one]) if one == "-" => read_stdin()?,
        (None, words) => words.join(" "),
    };
    let input = meterscope_core::parse_input(&text).map_err(|e| e.to_string())?;
    if input.bytes.is_empty() {
        return Err("the input holds no bytes".to_string());
    }
    let opts = Options { lang, protocol: Some(protocol.to_string()), strict, ..Options::default() };
    let dissection = registry.dissect(&input.bytes, &input.line_starts, &opts);
    if json {
        let v = serde_json::to_string_pretty(&dissection).map_err(|e| e.to_string())?;
        println!("{v}");
    } else {
        print!("{}", render::text(&dissection, &input.bytes, lang));
    }
    Ok(if dissection.all_valid() { 0 } else { 1 })
}

fn read_stdin() -> Result<String, String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(s)
}
