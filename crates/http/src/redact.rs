//! Redaction: secrets never reach a report, a log line or an error message.
//!
//! Three nets, applied to everything recorded: by header or field name, by pattern (JWTs,
//! PEM private keys and certificates' keys), and by exact value of every known secret.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// The marker that replaces a secret.
pub const MASK: &str = "«masqué»";

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*").expect("valid regex")
});
static PEM_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN ([A-Z ]*PRIVATE KEY)-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----")
        .expect("valid regex")
});
/// JSON fields whose name says "secret": the whole string value, escapes included.
static SECRET_JSON_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"("(?i-u:client_secret|password|access_token|refresh_token|id_token|secret|client_assertion)"\s*:\s*")((?:[^"\\]|\\.)*)"#,
    )
    .expect("valid regex")
});
/// `name=value` pairs of form bodies and query strings whose name says "secret".
static SECRET_FORM_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(\b(?i-u:client_secret|password|access_token|refresh_token|id_token|secret|client_assertion)\s*[=:]\s*)([^"&\s,}]+)"#,
    )
    .expect("valid regex")
});

/// A word every field name of the two patterns above contains (ASCII case ignored, as
/// there): a text without any skips both. Seven times faster than the patterns' own
/// search, which the many case variants of their names slow down.
static SECRET_FIELD_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("(?i-u:secret|password|token|assertion)").expect("valid regex"));

/// Response fields that carry a credential (RFC 6749 §5.1, OpenID Connect).
const CREDENTIAL_FIELDS: &[&str] = &["access_token", "refresh_token", "id_token"];
/// Form fields of a request that carry a credential.
const CREDENTIAL_FORM_FIELDS: &[&str] = &[
    "client_secret",
    "password",
    "refresh_token",
    "client_assertion",
    "assertion",
];

const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// Shortest encoded fragment masked: shorter ones would mangle ordinary text.
const MIN_FRAGMENT: usize = 8;

/// Knows the secrets of a run and masks them.
#[derive(Clone, Default)]
pub struct Redactor {
    /// The secrets as given, so that one given again (every request presents its token)
    /// costs a lookup, not the encoding of all its forms.
    given: std::collections::HashSet<String>,
    /// The forms of the secrets, by when they were added: a layer's automaton is built once
    /// and shared by every clone (each scenario clones the run's redactor, then adds its
    /// own tokens: the run's secrets are not compiled again for each of them).
    layers: Vec<std::sync::Arc<Layer>>,
    /// Layers built by this redactor and its clones, by their forms: every scenario adds
    /// the run's token to a clone of the same redactor, and would build the same automaton
    /// again (a fiftieth of a catalogue run's CPU when it did).
    built: std::sync::Arc<std::sync::Mutex<Built>>,
}

/// Layers already built, by their forms (in the order `add_secret` found them).
type Built = std::collections::HashMap<Vec<String>, std::sync::Arc<Layer>>;

/// Layers [`Redactor::built`] keeps; past that it starts again (a run renews its token a
/// few times; a long observation may renew it many more).
const MAX_BUILT: usize = 64;

/// Layers a redactor keeps before it merges them into one (each is one more pass over a
/// text that holds a secret; a scenario adds a token or two).
const MAX_LAYERS: usize = 4;

/// Forms of secrets, longest first, and the automata that find them.
struct Layer {
    forms: Vec<String>,
    /// Whether a text holds any form (leftmost semantics let its prefilter skip most of
    /// the text: ~30 times faster than an overlapping scan on a FHIR page); `None` if it
    /// could not be built.
    any: Option<aho_corasick::AhoCorasick>,
    /// Every occurrence, overlapping ones included, for the rare text that holds one:
    /// built the first time one does (most layers, a scenario's token, never need it, and
    /// building it cost as much as `any`).
    all: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl Layer {
    fn new(mut forms: Vec<String>) -> Self {
        // Longest first, so that a secret containing another is masked whole.
        forms.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let any = automaton(&forms, aho_corasick::MatchKind::LeftmostFirst);
        Layer {
            forms,
            any,
            all: std::sync::OnceLock::new(),
        }
    }

    /// The spans of every occurrence of its forms in `text`.
    fn spans(&self, text: &str, out: &mut Vec<(usize, usize)>) {
        if self.any.as_ref().is_some_and(|any| !any.is_match(text)) {
            return;
        }
        // Overlapping matches are all reported: the union of what they cover is masked.
        let all = self
            .all
            .get_or_init(|| automaton(&self.forms, aho_corasick::MatchKind::Standard));
        match all {
            Some(all) => out.extend(
                all.find_overlapping_iter(text)
                    .map(|m| (m.start(), m.end())),
            ),
            // No automaton (its construction failed): every form looked for one by one,
            // slower but never skipped.
            None => out.extend(self.forms.iter().flat_map(|form| occurrences(text, form))),
        }
    }
}

/// An automaton finding `forms` with `kind`'s semantics; `None` if it cannot be built.
/// Contiguous NFAs: built for each new layer (each renewed token) far quicker than DFAs,
/// and they scan fast enough.
fn automaton(forms: &[String], kind: aho_corasick::MatchKind) -> Option<aho_corasick::AhoCorasick> {
    aho_corasick::AhoCorasick::builder()
        .match_kind(kind)
        .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
        .build(forms)
        .ok()
}

/// Says how many secrets it knows, never which: a `{:?}` must not print them.
impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.given.len())
            .field("forms", &self.forms().count())
            .finish()
    }
}

/// `%2f` as well as `%2F`: servers echo percent-encoding in either case.
fn lowercase_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let esc = rest.get(at..at + 3).unwrap_or(&rest[at..]);
        out.push_str(&esc.to_ascii_lowercase());
        rest = &rest[at + esc.len()..];
    }
    out.push_str(rest);
    out
}

/// The HTML-escaped forms of a text: named entities (`&quot;`) and askama's numeric ones.
fn html_forms(text: &str) -> [String; 2] {
    let named = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;");
    let numeric = text
        .replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;");
    [named, numeric]
}

/// The parts of the base64 encoding of `secret` that do not depend on what surrounds it, for
/// each of the three alignments it can have inside a longer encoded value (`Basic
/// base64(id:secret)`), in the standard and URL-safe alphabets.
fn base64_fragments(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    let bytes = secret.as_bytes();
    let mut out = Vec::new();
    for shift in 0..3usize {
        let mut padded = vec![0u8; shift];
        padded.extend_from_slice(bytes);
        let first = (8 * shift).div_ceil(6);
        let last = 8 * padded.len() / 6;
        if last <= first {
            continue;
        }
        for engine in [
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            let encoded = engine.encode(&padded);
            if let Some(stable) = encoded.get(first..last)
                && stable.len() >= MIN_FRAGMENT
            {
                out.push(stable.to_owned());
            }
        }
    }
    out
}

impl Redactor {
    /// Secrets shorter than 4 characters are ignored: masking them would mangle text.
    pub fn new(secrets: impl IntoIterator<Item = String>) -> Self {
        let mut redactor = Redactor::default();
        for s in secrets {
            redactor.add_secret(&s);
        }
        redactor
    }

    /// Adds a secret, with every form it takes once encoded: in a form body or a URL (`+`,
    /// `%2F`, `%2f`), in a JSON string (`\"`), HTML-escaped (`&quot;`, `&#34;`), in base64
    /// (alone or inside a longer value).
    pub fn add_secret(&mut self, secret: &str) {
        if secret.len() < 4 || !self.given.insert(secret.to_owned()) {
            return;
        }
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json.trim_matches('"').to_owned();
        let mut variants = vec![
            secret.to_owned(),
            lowercase_escapes(&form.replace('+', "%20")),
            lowercase_escapes(&form),
            form.replace('+', "%20"),
            form,
        ];
        variants.extend(html_forms(secret));
        variants.extend(html_forms(&json));
        variants.push(json);
        variants.extend(base64_fragments(secret));
        let mut forms: Vec<String> = Vec::new();
        for variant in variants {
            if variant.len() >= 4
                && !forms.contains(&variant)
                && !self.forms().any(|known| *known == variant)
            {
                forms.push(variant);
            }
        }
        // Every request presents its token again: nothing new, nothing to build.
        if forms.is_empty() {
            return;
        }
        if self.layers.len() >= MAX_LAYERS {
            forms.extend(self.forms().cloned());
            self.layers.clear();
        }
        let layer = self.layer(forms);
        self.layers.push(layer);
    }

    /// The layer of `forms`: built once for this redactor and its clones.
    fn layer(&self, forms: Vec<String>) -> std::sync::Arc<Layer> {
        // A poisoned lock only means another thread panicked while inserting: the map
        // itself is whole.
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(layer) = built.get(&forms) {
            return layer.clone();
        }
        if built.len() >= MAX_BUILT {
            built.clear();
        }
        let layer = std::sync::Arc::new(Layer::new(forms.clone()));
        built.insert(forms, layer.clone());
        layer
    }

    /// Every form of every secret it knows.
    fn forms(&self) -> impl Iterator<Item = &String> {
        self.layers.iter().flat_map(|l| &l.forms)
    }

    /// `text` with every byte of every occurrence of a known secret under one mask per run
    /// of overlapping occurrences (secrets are UTF-8 like the text, so every occurrence
    /// starts and ends on a character boundary).
    fn mask_known<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for layer in &self.layers {
            layer.spans(text, &mut spans);
        }
        if spans.is_empty() {
            return Cow::Borrowed(text);
        }
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut done = 0;
        let mut current: Option<(usize, usize)> = None;
        for (start, end) in spans {
            match &mut current {
                Some((_, e)) if start < *e => *e = (*e).max(end),
                _ => {
                    if let Some((s, e)) = current.replace((start, end)) {
                        out.push_str(&text[done..s]);
                        out.push_str(MASK);
                        done = e;
                    }
                }
            }
        }
        if let Some((s, e)) = current {
            out.push_str(&text[done..s]);
            out.push_str(MASK);
            done = e;
        }
        out.push_str(&text[done..]);
        Cow::Owned(out)
    }

    /// Registers the credentials a response carries (`access_token`... of a token
    /// response), whatever their format: an opaque token is as secret as a JWT.
    pub fn learn_from_response(&mut self, body: &[u8]) {
        // Looked for in the bytes first: most bodies name no credential field, and
        // validating a whole page as UTF-8 for nothing was most of the cost.
        if !CREDENTIAL_FIELDS
            .iter()
            .any(|f| memchr::memmem::find(body, f.as_bytes()).is_some())
        {
            return;
        }
        let Ok(text) = std::str::from_utf8(body) else {
            return;
        };
        let Ok(serde_json::Value::Object(fields)) = serde_json::from_str(text) else {
            return;
        };
        for name in CREDENTIAL_FIELDS {
            if let Some(serde_json::Value::String(v)) = fields.get(*name) {
                self.add_secret(v);
            }
        }
    }

    /// Registers the credentials a request sends: the `Authorization` value (after its
    /// scheme, and decoded for `Basic`) and secret fields of a form body.
    pub fn learn_from_request(&mut self, headers: &[(String, String)], body: Option<&[u8]>) {
        for (name, value) in headers {
            if !SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                continue;
            }
            let credential = value.split_once(' ').map_or(value.as_str(), |(_, c)| c);
            self.add_secret(credential.trim());
            if value.to_ascii_lowercase().starts_with("basic ") {
                use base64::Engine as _;
                if let Ok(decoded) =
                    base64::engine::general_purpose::STANDARD.decode(credential.trim())
                    && let Ok(pair) = String::from_utf8(decoded)
                    && let Some((_, password)) = pair.split_once(':')
                {
                    self.add_secret(password);
                }
            }
        }
        if let Some(body) = body {
            for (k, v) in url::form_urlencoded::parse(body) {
                if CREDENTIAL_FORM_FIELDS.contains(&k.as_ref()) {
                    self.add_secret(&v);
                }
            }
        }
    }

    /// Masks secrets in free text (bodies, error messages, captured values).
    pub fn text(&self, text: &str) -> String {
        self.masked(text).into_owned()
    }

    /// [`Redactor::text`], borrowing `text` back when there is nothing to mask (most
    /// bodies): no copy.
    fn masked<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let out = self.mask_known(text);
        let out = replace_all(
            out,
            &PEM_KEY,
            &format!("-----BEGIN $1-----{MASK}-----END $1-----"),
        );
        let out = replace_all(out, &JWT, MASK);
        if !SECRET_FIELD_WORD.is_match(&out) {
            return out;
        }
        let out = replace_all(out, &SECRET_JSON_FIELD, &format!("${{1}}{MASK}"));
        replace_all(out, &SECRET_FORM_FIELD, &format!("${{1}}{MASK}"))
    }

    /// Masks then cuts `text` to at most `max` bytes for evidence. Masking comes first, on
    /// a window wider than the cut, so that a secret straddling the cut is masked whole
    /// rather than leaving its beginning visible; a trailing piece of a known secret is
    /// masked too. Returns the text and whether it was cut.
    pub fn clipped(&self, text: &str, max: usize) -> (String, bool) {
        if text.len() <= max {
            return (self.text(text), false);
        }
        let window = floor_boundary(text, max.saturating_add(CLIP_MARGIN));
        let masked = self.masked(&text[..window]);
        let mut end = floor_boundary(&masked, max);
        // Never cut a mask in two: look for one that starts before the cut and ends after.
        let reach = floor_boundary(&masked, end + MASK.len());
        if let Some(start) = masked[..reach].rfind(MASK)
            && start < end
            && start + MASK.len() > end
        {
            end = start + MASK.len();
        }
        let mut out = masked[..end].to_owned();
        if let Some(tail) = self.partial_secret_at_end(&out) {
            out.truncate(out.len() - tail);
            out.push_str(MASK);
        }
        (out, true)
    }

    /// [`Redactor::clipped`] of a body's bytes read as UTF-8 (invalid sequences replaced):
    /// only the part that can be shown is converted, so a large body is not scanned whole
    /// to keep its first half-megabyte. The same text as converting it all: a replacement
    /// can only lengthen what comes before the cut, and the bytes kept run a character past
    /// the window.
    pub fn clipped_bytes(&self, body: &[u8], max: usize) -> (String, bool) {
        // Past the window: the longest UTF-8 sequence, so that the last character inside
        // the window is read whole.
        let read = body
            .len()
            .min(max.saturating_add(CLIP_MARGIN).saturating_add(4));
        // When bytes are left unread, those read are more than `max` and converting never
        // shortens them: the text is cut, and says so.
        self.clipped(&String::from_utf8_lossy(&body[..read]), max)
    }

    /// The length of the longest end of `text` that begins a known secret (4 bytes or more).
    fn partial_secret_at_end(&self, text: &str) -> Option<usize> {
        self.forms()
            .filter_map(|secret| {
                (4..secret.len())
                    .rev()
                    .find(|&n| secret.is_char_boundary(n) && text.ends_with(&secret[..n]))
            })
            .max()
    }

    /// Masks a header value; for `Authorization` the scheme stays visible (`Bearer «masqué»`).
    pub fn header(&self, name: &str, value: &str) -> String {
        let lower = name.to_ascii_lowercase();
        if SECRET_HEADERS.contains(&lower.as_str()) {
            return match value.split_once(' ') {
                Some((scheme, _)) if lower.ends_with("authorization") => {
                    format!("{scheme} {MASK}")
                }
                _ => MASK.to_owned(),
            };
        }
        self.text(value)
    }
}

/// Every occurrence of `form` in `text`, overlapping ones included (`aa` twice in `aaa`).
fn occurrences<'a>(text: &'a str, form: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = from + text.get(from..)?.find(form)?;
        // The next search starts one character further: a form may overlap itself.
        from = at + text[at..].chars().next().map_or(1, char::len_utf8);
        Some((at, at + form.len()))
    })
}

/// `text` with every match of `pattern` replaced, still borrowed when nothing matched.
fn replace_all<'t>(text: Cow<'t, str>, pattern: &Regex, replacement: &str) -> Cow<'t, str> {
    match pattern.replace_all(&text, replacement) {
        Cow::Borrowed(_) => text,
        Cow::Owned(replaced) => Cow::Owned(replaced),
    }
}

/// How much wider than the cut the masked window is: longer than any credential.
const CLIP_MARGIN: usize = 64 * 1024;

fn floor_boundary(text: &str, at: usize) -> usize {
    let mut end = at.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// A client id as it may be shown: its first four and last three characters, enough to
/// recognise it, not to reuse it.
pub fn mask_client_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return format!(
            "{}…",
            chars.first().map(|c| c.to_string()).unwrap_or_default()
        );
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_secret_is_masked_in_its_encoded_forms_too() {
        let r = super::Redactor::new(["s3cr3t /+=\"plante".to_owned()]);
        for text in [
            "client_id=a&x=s3cr3t+%2F%2B%3D%22plante",
            "?s=s3cr3t%20%2F%2B%3D%22plante",
            r#"{"note": "s3cr3t /+=\"plante"}"#,
        ] {
            let masked = r.text(text);
            assert!(!masked.contains("plante"), "{text} -> {masked}");
        }
    }

    use super::*;

    const JWT_SAMPLE: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

    #[test]
    fn overlapping_secrets_leave_no_fragment_and_text_between_stays() {
        // The earlier secret starts first but the later one is longer: masking either
        // alone would leave a piece of the other.
        let r = Redactor::new(["abcd1234".to_owned(), "1234wxyz9".to_owned()]);
        assert_eq!(r.text("<abcd1234wxyz9>"), format!("<{MASK}>"));
        assert_eq!(
            r.text("abcd1234 et 1234wxyz9, fin"),
            format!("{MASK} et {MASK}, fin")
        );
        assert_eq!(r.text("rien à masquer"), "rien à masquer");
        // A secret presented again changes nothing.
        let mut again = r.clone();
        again.add_secret("abcd1234");
        assert!(again.forms().eq(r.forms()));
        assert_eq!(again.layers.len(), r.layers.len());
    }

    #[test]
    fn secret_field_names_are_masked_in_any_ascii_case() {
        let r = Redactor::default();
        for (text, kept) in [
            (r#"{"Client_Secret": "abc-123"}"#, "abc-123"),
            (r#"{"ACCESS_TOKEN":"tok\"en"}"#, "tok"),
            ("PassWord=hunter22&user=x", "hunter22"),
            ("id_TOKEN: q1w2e3r4", "q1w2e3r4"),
            (r#"{"client_assertion" : "a.b.c"}"#, "a.b.c"),
        ] {
            let masked = r.text(text);
            assert!(!masked.contains(kept), "{text} -> {masked}");
            assert!(masked.contains(MASK), "{text} -> {masked}");
        }
        // Text without any of the words is returned as it was.
        let plain = "Secrétariat : tokenisation, assert, pass word";
        assert_eq!(r.text(plain), plain);
    }

    #[test]
    fn a_secret_deep_in_a_long_page_is_found_past_the_quick_check() {
        let offers = include_str!("../../../fixtures/dataset/HealthcareService.ndjson");
        let page: String = offers.lines().take(12).collect::<Vec<_>>().join(",");
        let r = Redactor::new(["abcd1234".to_owned(), "1234wxyz9".to_owned()]);
        assert_eq!(r.text(&page), page, "nothing to mask in the page itself");
        let (head, tail) = page.split_at(page.len() - 100);
        let leaked = format!("{head}\"note\":\"abcd1234wxyz9\"{tail}");
        let masked = r.text(&leaked);
        assert!(!masked.contains("abcd") && !masked.contains("wxyz"));
        assert_eq!(masked, format!("{head}\"note\":\"{MASK}\"{tail}"));
    }

    #[test]
    fn without_its_automaton_the_redactor_still_masks_every_occurrence() {
        let mut r = Redactor::new([
            "abcd1234".to_owned(),
            "1234wxyz9".to_owned(),
            "zzzz".to_owned(),
        ]);
        let with = r.text("<abcd1234wxyz9> et zzzzz, fin");
        r.layers = r
            .layers
            .iter()
            .map(|l| {
                std::sync::Arc::new(Layer {
                    forms: l.forms.clone(),
                    any: None,
                    all: std::sync::OnceLock::from(None),
                })
            })
            .collect();
        assert_eq!(r.text("<abcd1234wxyz9> et zzzzz, fin"), with);
        assert_eq!(with, format!("<{MASK}> et {MASK}, fin"));
        assert_eq!(r.text("rien à masquer"), "rien à masquer");
    }

    #[test]
    fn debug_output_names_no_secret() {
        let r = Redactor::new(["s3cr3t-du-client".to_owned()]);
        let shown = format!("{r:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("secrets: 1"), "{shown}");
    }

    #[test]
    fn authorization_keeps_its_scheme_only() {
        let r = Redactor::default();
        assert_eq!(
            r.header("Authorization", "Bearer abc.def"),
            "Bearer «masqué»"
        );
        assert_eq!(r.header("cookie", "a=b"), MASK);
        assert_eq!(
            r.header("Accept", "application/fhir+json"),
            "application/fhir+json"
        );
    }

    #[test]
    fn known_secrets_jwts_keys_and_secret_fields_are_masked() {
        let r = Redactor::new(["s3cr3t-value".to_owned(), "ab".to_owned()]);
        let text = format!(
            "secret s3cr3t-value in text; token {JWT_SAMPLE}; \
             grant_type=client_credentials&client_secret=xyz123&client_id=app; \
             {{\"access_token\": \"opaque-token-1\", \"token_type\": \"Bearer\"}}\n\
             -----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----"
        );
        let out = r.text(&text);
        for leaked in [
            "s3cr3t-value",
            JWT_SAMPLE,
            "xyz123",
            "opaque-token-1",
            "MIIEvQ",
        ] {
            assert!(!out.contains(leaked), "{leaked} leaked in {out}");
        }
        assert!(
            out.contains("client_id=app"),
            "non-secret fields stay: {out}"
        );
        assert_eq!(r.text("ab cd"), "ab cd", "too-short secrets are not masked");
    }
}

#[cfg(test)]
#[path = "redact_tests.rs"]
mod encoding_tests;
