//! Source files and spans: the one place that knows file names and byte offsets.
//!
//! Every stage after reading points at source through a [`Span`]; diagnostics turn spans into
//! line/column through the [`SourceFiles`] database, which also feeds `codespan-reporting`.

use codespan_reporting::files::{Files, SimpleFiles};

/// Index of a file in [`SourceFiles`].
pub type FileId = usize;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: u32, end: u32) -> Self {
        Span { file, start, end }
    }

    /// The byte range, as codespan-reporting takes it.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(
            self.file,
            self.start.min(other.start),
            self.end.max(other.end),
        )
    }
}

/// The files read in one run: display name plus decoded text.
#[derive(Default)]
pub struct SourceFiles {
    files: SimpleFiles<String, String>,
}

impl SourceFiles {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        self.files.add(name.into(), text.into())
    }

    pub fn name(&self, file: FileId) -> &str {
        self.files
            .get(file)
            .map(|f| f.name().as_str())
            .unwrap_or("<unknown>")
    }

    pub fn text(&self, file: FileId) -> &str {
        self.files
            .get(file)
            .map(|f| f.source().as_str())
            .unwrap_or("")
    }

    /// The source text a span covers (empty when the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text(span.file).get(span.range()).unwrap_or("")
    }

    /// 1-based line number of the span's start.
    pub fn line(&self, span: Span) -> usize {
        self.files
            .line_index(span.file, span.start as usize)
            .map(|l| l + 1)
            .unwrap_or(1)
    }

    /// `name:line`, the form doc comments and messages use to point at source.
    pub fn location(&self, span: Span) -> String {
        format!("{}:{}", self.name(span.file), self.line(span))
    }

    /// The database codespan-reporting renders from.
    pub fn codespan(&self) -> &SimpleFiles<String, String> {
        &self.files
    }
}

/// Why bytes could not be turned into Python source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the problem in the original bytes.
    pub offset: usize,
    pub message: String,
    /// The text as far as it could be decoded (lossily), to render the error against.
    pub lossy: String,
}

/// Decodes a Python source file: UTF-8 (with or without BOM), or Latin-1 when a PEP 263 coding
/// line declares it. Anything else is an error with the offset of the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match declared_encoding(body).as_deref() {
        None | Some("utf-8" | "utf8" | "ascii" | "us-ascii") => {}
        Some("latin-1" | "latin1" | "iso-8859-1" | "iso8859-1" | "l1") => {
            return Ok(body.iter().map(|&b| b as char).collect());
        }
        Some(other) => {
            return Err(DecodeError {
                offset: 0,
                message: format!(
                    "unsupported source encoding `{other}` (only UTF-8 and Latin-1 are read)"
                ),
                lossy: String::from_utf8_lossy(body).into_owned(),
            })
        }
    }
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => Err(DecodeError {
            offset: e.valid_up_to() + (bytes.len() - body.len()),
            message: format!(
                "file is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
            lossy: String::from_utf8_lossy(body).into_owned(),
        }),
    }
}

/// The encoding named by a PEP 263 `coding[:=]` comment on line 1 or 2, lower-cased, with `_`
/// folded to `-`.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    for line in bytes.split(|&b| b == b'\n').take(2) {
        let line = String::from_utf8_lossy(line);
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            continue;
        }
        let Some(pos) = trimmed.find("coding") else {
            continue;
        };
        let rest = &trimmed[pos + "coding".len()..];
        let Some(rest) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')) else {
            continue;
        };
        let name: String = rest
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        if !name.is_empty() {
            return Some(name.to_ascii_lowercase().replace('_', "-"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_is_read() {
        assert_eq!(decode(b"\xEF\xBB\xBFx = 1\n").unwrap(), "x = 1\n");
    }

    #[test]
    fn invalid_utf8_reports_offset() {
        let err = decode(b"x = 1\n\xff\n").unwrap_err();
        assert_eq!(err.offset, 6);
    }

    #[test]
    fn latin1_coding_line_is_honoured() {
        let text = decode(b"# -*- coding: latin-1 -*-\nname = '\xe9'\n").unwrap();
        assert!(text.ends_with("name = '\u{e9}'\n"));
    }

    #[test]
    fn unknown_coding_is_an_error() {
        assert!(decode(b"# coding: shift_jis\n")
            .unwrap_err()
            .message
            .contains("shift-jis"));
    }
}
