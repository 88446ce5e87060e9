//! The functions' log subscriber: lambda_runtime's defaults (`AWS_LAMBDA_LOG_FORMAT`, then
//! `AWS_LAMBDA_LOG_LEVEL` or `RUST_LOG`, INFO otherwise), with two guarantees on top. In the text
//! format every value is escaped, so that nothing an event carries (a path, a CloudTrail `eventName`)
//! can break a line or forge a field; JSON lines are escaped by their format. And at no level do the
//! runtime crates' or the AWS SDK's own events reach the logs below DEBUG: lambda_runtime logs the raw
//! invocation (caller credentials in headers, the request body) at TRACE, and the SDK the raw bodies of
//! its calls, where a WorkSpaces Web error that echoes a client secret would carry the secret.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use tracing::field::{Field, Visit};
use tracing::{Level, Metadata};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::filter::{EnvFilter, FilterFn, LevelFilter};
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Crates that see the raw invocation; none of their events below DEBUG is ever written.
const RAW_EVENT_CRATES: &[&str] = &["lambda_runtime", "lambda_runtime_api_client", "lambda_http"];

/// The AWS SDK's crates (`aws_smithy_runtime`, `aws_sdk_workspacesweb`, `aws_config`, ...) see the
/// raw bodies of every call; none of their events below DEBUG is ever written either.
const RAW_BODY_CRATE_PREFIX: &str = "aws_";

/// Installs the subscriber for this process, to standard output.
pub fn init() {
    let format = std::env::var("AWS_LAMBDA_LOG_FORMAT").unwrap_or_default();
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|level| LevelFilter::from_str(&level).ok())
        .unwrap_or(LevelFilter::INFO);
    let filter = EnvFilter::builder()
        .with_default_directive(level.into())
        .from_env_lossy();
    let layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .with_writer(std::io::stdout);
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(FilterFn::new(admitted));
    if format.eq_ignore_ascii_case("json") {
        registry.with(layer.json()).init();
    } else {
        registry.with(layer.fmt_fields(EscapedFields)).init();
    }
}

/// Whether an event or span may be written whatever the configured level.
fn admitted(metadata: &Metadata<'_>) -> bool {
    let krate = metadata
        .target()
        .split_once("::")
        .map_or(metadata.target(), |(krate, _)| krate);
    let sees_raw_payloads =
        RAW_EVENT_CRATES.contains(&krate) || krate.starts_with(RAW_BODY_CRATE_PREFIX);
    !(sees_raw_payloads && *metadata.level() == Level::TRACE)
}

/// Text-format fields: `name=value`, space-separated. A value made only of characters that cannot
/// start a field or a line is written as it is; any other is written quoted, with quotes,
/// backslashes, control and invisible characters escaped. The message is written unquoted with the
/// same characters escaped.
#[derive(Debug, Clone, Copy, Default)]
pub struct EscapedFields;

impl<'writer> FormatFields<'writer> for EscapedFields {
    fn format_fields<R: RecordFields>(&self, writer: Writer<'writer>, fields: R) -> fmt::Result {
        let mut visitor = EscapingVisitor {
            writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct EscapingVisitor<'writer> {
    writer: Writer<'writer>,
    first: bool,
    result: fmt::Result,
}

impl EscapingVisitor<'_> {
    fn write(&mut self, field: &Field, text: &str, quote_always: bool) {
        if self.result.is_err() {
            return;
        }
        let separator = if self.first { "" } else { " " };
        self.first = false;
        let name = field.name();
        self.result = if name == "message" {
            write!(self.writer, "{separator}{}", escape_text(text))
        } else {
            let name = name.strip_prefix("r#").unwrap_or(name);
            let value = if quote_always || !is_bare(text) {
                quoted(text)
            } else {
                text.to_owned()
            };
            write!(self.writer, "{separator}{name}={value}")
        };
    }
}

impl Visit for EscapingVisitor<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.write(field, value, true);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let mut text = String::new();
        if write!(text, "{value:?}").is_err() {
            self.result = Err(fmt::Error);
            return;
        }
        self.write(field, &text, false);
    }
}

/// Characters a value may hold and still be written without quotes.
fn is_bare(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '_'
                        | '.'
                        | ':'
                        | '/'
                        | ','
                        | '@'
                        | '+'
                        | '*'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '{'
                        | '}'
                )
        })
}

/// `text` as a quoted string literal: every character that is not plainly visible escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            other => push_escaped(&mut out, other),
        }
    }
    out.push('"');
    out
}

/// `text` with control and invisible characters escaped (a message, written unquoted).
fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if needs_escape(c) => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// Control characters (C0, DEL, C1), line and paragraph separators, and the invisible formatting
/// characters that could make a line read as something else (bidirectional overrides, zero widths).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    /// A writer that keeps what the subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?
                .extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;

        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    fn text_lines(log: impl FnOnce()) -> Vec<String> {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::registry()
            .with(FilterFn::new(admitted))
            .with(
                tracing_subscriber::fmt::layer()
                    .with_target(false)
                    .without_time()
                    .with_ansi(false)
                    .fmt_fields(EscapedFields)
                    .with_writer(captured.clone()),
            );
        tracing::subscriber::with_default(subscriber, log);
        let bytes = captured.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8(bytes)
            .expect("UTF-8")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn values_from_events_cannot_break_a_line_or_forge_a_field() {
        let forged = "PutIdentityProviderConfiguration\nERROR forged line status=500";
        let lines = text_lines(|| {
            tracing::info!(reason = %forged, name = forged, count = 3, path = "/health", "event\r\nignored");
        });
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(
            lines[0],
            " INFO event\\r\\nignored reason=\"PutIdentityProviderConfiguration\\nERROR forged line status=500\" \
             name=\"PutIdentityProviderConfiguration\\nERROR forged line status=500\" count=3 path=\"/health\""
        );
    }

    #[test]
    fn bare_values_stay_bare_and_others_are_quoted_with_escapes() {
        let lines = text_lines(|| {
            tracing::info!(
                id = %"c6af9ac6-7b61-11e6",
                spaced = %"a b",
                quote = %"say \"hi\" \\ now",
                invisible = %"a\u{2028}b\u{202e}c\u{1b}[31m",
                "m"
            );
        });
        assert_eq!(
            lines,
            [
                " INFO m id=c6af9ac6-7b61-11e6 spaced=\"a b\" quote=\"say \\\"hi\\\" \\\\ now\" \
              invisible=\"a\\u{2028}b\\u{202e}c\\u{1b}[31m\""
            ]
        );
    }

    #[test]
    #[cfg_attr(
        not(debug_assertions),
        ignore = "release builds leave TRACE events out (tracing's release_max_level_debug)"
    )]
    fn the_runtime_crates_never_log_below_debug() {
        let lines = text_lines(|| {
            tracing::trace!(target: "lambda_runtime::layers::api_response", body = "secret", "raw JSON event received from Lambda");
            tracing::trace!(target: "lambda_http::request", "raw");
            tracing::debug!(target: "lambda_runtime::runtime", "kept");
            tracing::trace!(target: "lambda_runtime_other", "kept too: another crate");
        });
        assert_eq!(lines, ["DEBUG kept", "TRACE kept too: another crate"]);
    }

    #[test]
    #[cfg_attr(
        not(debug_assertions),
        ignore = "release builds leave TRACE events out (tracing's release_max_level_debug)"
    )]
    fn the_sdk_crates_never_log_below_debug() {
        let lines = text_lines(|| {
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator::http", response = "secret", "read HTTP response body");
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", output_or_error = "secret");
            tracing::trace!(target: "aws_sdk_workspacesweb::operation", "raw");
            tracing::trace!(target: "aws_config", "raw");
            tracing::debug!(target: "aws_smithy_runtime::client::orchestrator", "beginning attempt #1");
            tracing::trace!(target: "idp_gateway::workspaces_web", "kept: our own");
        });
        assert_eq!(lines, ["DEBUG beginning attempt #1", "TRACE kept: our own"]);
    }
}
