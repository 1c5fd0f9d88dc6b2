//! What loading found wrong in a scenario file, located by file, line and column.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_saphyr::Location;

/// One problem found in a scenario file, located as precisely as the parser allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The scenario file.
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: u64,
    /// 1-based; 0 when the problem concerns the whole file.
    pub column: u64,
    /// What is wrong and what was expected.
    pub message: String,
    /// The source lines around the problem, already rendered with a caret.
    pub snippet: Option<String>,
}

impl Diagnostic {
    /// A problem at `location` in `path`.
    pub fn new(path: &Path, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_owned(),
            line: location.line(),
            column: location.column(),
            message: message.into(),
            snippet: None,
        }
    }

    pub(crate) fn whole_file(path: &Path, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.to_owned(),
            line: 0,
            column: 0,
            message: message.into(),
            snippet: None,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )?;
        } else {
            write!(f, "{}: {}", self.path.display(), self.message)?;
        }
        if let Some(snippet) = &self.snippet {
            write!(f, "\n{snippet}")?;
        }
        Ok(())
    }
}

/// Every diagnostic of a load, so that one run shows all the mistakes at once.
#[derive(Debug, Clone, thiserror::Error)]
pub struct LoadErrors(pub Vec<Diagnostic>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}
