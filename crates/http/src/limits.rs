//! How much a server under test may make rorcheck read, and for how long: a hostile or
//! broken server must fail its step with a named reason, never exhaust memory or hang a run.

use std::time::Duration;

const MIB: u64 = 1024 * 1024;

/// The bounds applied to what a target sends back. Each breach is a named error on the
/// step that met it; the run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest body of a synchronous response (searches, reads, manifests, tokens).
    pub max_body: u64,
    /// Largest `$export` output file: files are read as streams, so this bounds time and
    /// bandwidth rather than memory.
    pub max_export_file: u64,
    /// Largest single resource in an export file (one ndjson line, one Bundle entry): the
    /// only part of a file held in memory at once.
    pub max_record: u64,
    /// How long one `$export` may take from kick-off to its last file.
    pub export_deadline: Duration,
}

impl Limits {
    /// For real environments: a national extraction is large and slow to prepare.
    pub const REMOTE: Limits = Limits {
        max_body: 64 * MIB,
        max_export_file: 8 * 1024 * MIB,
        max_record: 16 * MIB,
        export_deadline: Duration::from_secs(3600),
    };

    /// For the embedded mock: its export is ready in seconds.
    pub const EMBEDDED: Limits = Limits {
        max_body: 64 * MIB,
        max_export_file: 1024 * MIB,
        max_record: 16 * MIB,
        export_deadline: Duration::from_secs(60),
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::REMOTE
    }
}

/// A size for people: `64 Mio`, `512 Kio`, `12 octets`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} Mio", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} Mio", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{} Kio", bytes / 1024)
    } else {
        format!("{bytes} octets")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(human_size(64 * MIB), "64 Mio");
        assert_eq!(human_size(MIB + MIB / 2), "1.5 Mio");
        assert_eq!(human_size(4096), "4 Kio");
        assert_eq!(human_size(12), "12 octets");
    }
}
