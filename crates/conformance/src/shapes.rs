//! Structural rules of the five ROR profiles (IG 0.6.0) as data: `data/shapes.yaml` lists
//! each element and extension with its cardinality, type, binding and slices, transcribed
//! from the StructureDefinition differentials; this module applies every entry the same way.
//!
//! Findings: `ROR-STR-01` cardinality, `ROR-STR-02` type (value[x] included), `ROR-STR-03`
//! binding (no coding from the bound TRE), `ROR-STR-05` slice (an item that matches no
//! slice, or a fixed value not carried), all errors; `ROR-STR-04` an extension the profile
//! does not define at that place (a warning: slicing is open, but a misplaced or misnamed
//! extension is what the consumer will not find).

use rorcheck_i18n::{Lang, t};
use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::Value;

use super::profiles::{Place, at};
use super::{Finding, Tree, label_of};

const NOS_BASE: &str = "https://mos.esante.gouv.fr/NOS/";

/// `min..max` of an element or extension, counted in each parent.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "String")]
struct Card {
    min: usize,
    max: Option<usize>,
}

/// A cardinality that is not `min..max` (a defect of `shapes.yaml`, caught by a test).
#[derive(Debug, thiserror::Error)]
#[error("cardinality « {0} » is not min..max")]
pub struct CardError(String);

impl TryFrom<String> for Card {
    type Error = CardError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let parsed = s.split_once("..").and_then(|(min, max)| {
            let min = min.parse().ok()?;
            let max = match max {
                "*" => None,
                n => Some(n.parse().ok()?),
            };
            Some(Card { min, max })
        });
        parsed.ok_or(CardError(s))
    }
}

impl Card {
    fn allows(self, n: usize) -> bool {
        n >= self.min && self.max.is_none_or(|m| n <= m)
    }
}

impl std::fmt::Display for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.max {
            Some(m) => write!(f, "{}..{m}", self.min),
            None => write!(f, "{}..*", self.min),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ElementDef {
    path: String,
    card: Card,
    #[serde(rename = "type")]
    ty: Option<String>,
    #[serde(default)]
    binding: Binding,
    shape: Option<String>,
    slice: Option<String>,
    act_type: Option<String>,
    id: Option<String>,
    #[serde(default)]
    fixed: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionDef {
    url: String,
    /// `url` under the canonical base, filled once the file is read.
    #[serde(skip)]
    full_url: String,
    card: Card,
    value: Option<String>,
    #[serde(default)]
    binding: Binding,
    #[serde(default)]
    codes: Vec<String>,
    on: Option<String>,
    #[serde(default)]
    elements: Vec<ElementDef>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Part {
    #[serde(default)]
    elements: Vec<ElementDef>,
    #[serde(default)]
    extensions: Vec<ExtensionDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShapesFile {
    canonical_base: String,
    watched_bases: Vec<String>,
    common: Part,
    datatypes: BTreeMap<String, Part>,
    complex: BTreeMap<String, Vec<ExtensionDef>>,
    /// Entries written once for YAML anchors; used where they are referenced.
    #[allow(dead_code)]
    shared: Vec<ExtensionDef>,
    profiles: BTreeMap<String, Part>,
}

/// The shipped shapes, read once.
pub struct Shapes {
    file: ShapesFile,
}

static SHIPPED: LazyLock<Result<Shapes, serde_saphyr::Error>> = LazyLock::new(|| {
    serde_saphyr::from_str(include_str!("data/shapes.yaml")).map(|mut file: ShapesFile| {
        let base = file.canonical_base.clone();
        let mut fill = |defs: &mut Vec<ExtensionDef>| {
            for d in defs {
                d.full_url = full_url(&base, &d.url);
            }
        };
        fill(&mut file.common.extensions);
        file.datatypes
            .values_mut()
            .for_each(|p| fill(&mut p.extensions));
        file.complex.values_mut().for_each(&mut fill);
        fill(&mut file.shared);
        file.profiles
            .values_mut()
            .for_each(|p| fill(&mut p.extensions));
        Shapes { file }
    })
});

/// Full url of an extension named in the data (`ror-…` names are under the canonical base).
fn full_url(canonical_base: &str, name: &str) -> String {
    if name.contains("://") || !name.starts_with("ror-") {
        name.to_owned()
    } else {
        format!("{canonical_base}{name}")
    }
}

/// Who is being checked and where findings go.
struct Walk<'a> {
    shapes: &'a Shapes,
    name: String,
    out: Vec<Finding>,
}

impl Shapes {
    /// The shapes shipped in the binary (`None` only on a build defect a test catches).
    pub fn shipped() -> Option<&'static Shapes> {
        SHIPPED.as_ref().ok()
    }

    /// Why the shipped shapes could not be read, if they could not.
    #[cfg(test)]
    pub(crate) fn load_error() -> Option<&'static serde_saphyr::Error> {
        SHIPPED.as_ref().err()
    }

    /// The structural findings of one resource against its ROR profile.
    pub fn check(&self, resource: &Tree) -> Vec<Finding> {
        let Some(rtype) = resource["resourceType"].as_str() else {
            return Vec::new();
        };
        let Some(profile) = self.file.profiles.get(rtype) else {
            return Vec::new();
        };
        let mut walk = Walk {
            shapes: self,
            name: label_of(resource),
            out: Vec::new(),
        };
        let elements: Vec<&ElementDef> = self
            .file
            .common
            .elements
            .iter()
            .chain(&profile.elements)
            .collect();
        walk.elements(resource, "", rtype, &elements);
        let extensions: Vec<&ExtensionDef> = self
            .file
            .common
            .extensions
            .iter()
            .chain(&profile.extensions)
            .collect();
        walk.placed_extensions(resource, rtype, &extensions);
        walk.out
    }

    /// The sub-extensions of a complex extension, by its full url.
    fn complex(&self, url: &str) -> Option<&[ExtensionDef]> {
        let name = url.strip_prefix(self.file.canonical_base.as_str())?;
        self.file.complex.get(name).map(Vec::as_slice)
    }
}

/// The code systems a binding accepts: its entries as `shapes.yaml` writes them (`R211-Name`,
/// `R302-*`, a url) and the system URLs they stand for, worked out once when the file is
/// read (a binding is checked against every coding of every resource).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(from = "Vec<String>")]
struct Binding {
    written: Vec<String>,
    accepted: Vec<Accepted>,
}

/// A system URL a binding entry accepts: this one, or any that begins so.
#[derive(Debug, Clone, PartialEq)]
enum Accepted {
    System(String),
    Prefix(String),
}

impl From<Vec<String>> for Binding {
    fn from(written: Vec<String>) -> Self {
        let accepted = written.iter().map(|e| Accepted::of(e)).collect();
        Binding { written, accepted }
    }
}

impl Accepted {
    /// What an entry accepts: a url itself; `R302-*` any TRE_R302 system; `R211-Name` the
    /// TRE's canonical url, `TRE_R211-Name/FHIR/TRE-R211-Name` under the NOS base.
    fn of(entry: &str) -> Self {
        if entry.contains("://") {
            return Accepted::System(entry.to_owned());
        }
        match entry.strip_suffix('*') {
            Some(prefix) => Accepted::Prefix(format!("{NOS_BASE}TRE_{prefix}")),
            None => {
                let (code, name) = entry.split_once('-').unwrap_or((entry, ""));
                Accepted::System(format!(
                    "{NOS_BASE}TRE_{code}-{name}/FHIR/TRE-{code}-{name}"
                ))
            }
        }
    }

    fn accepts(&self, system: &str) -> bool {
        match self {
            Accepted::System(url) => system == url,
            Accepted::Prefix(prefix) => system.starts_with(prefix.as_str()),
        }
    }
}

impl Binding {
    fn is_empty(&self) -> bool {
        self.written.is_empty()
    }

    /// Whether a coding system is one it accepts.
    fn accepts(&self, system: &str) -> bool {
        self.accepted.iter().any(|a| a.accepts(system))
    }
}

/// Whether a coding system is accepted by a binding entry (`R211-Name`, `R302-*`, a url).
#[cfg(test)]
fn accepts(entry: &str, system: &str) -> bool {
    Accepted::of(entry).accepts(system)
}

/// The codings of a CodeableConcept, or the Coding itself.
fn codings_of<'t, 'a>(v: &'t Tree<'a>) -> &'t [Tree<'a>] {
    match v.get("coding").and_then(Tree::as_array) {
        Some(c) => c,
        None if v.get("system").is_some() => std::slice::from_ref(v),
        None => &[],
    }
}

fn bound(binding: &Binding, v: &Tree) -> bool {
    codings_of(v).iter().any(|c| {
        c.get("system")
            .unwrap_or(&Tree::Null)
            .as_str()
            .is_some_and(|s| binding.accepts(s))
    })
}

/// Items of `key` in `parent`: an array's items, a present value, or nothing.
fn items<'t, 'a>(parent: &'t Tree<'a>, key: &str) -> &'t [Tree<'a>] {
    items_held(parent.get(key))
}

/// The items of what a member holds: an array's items, a present value, or nothing.
fn items_held<'t, 'a>(held: Option<&'t Tree<'a>>) -> &'t [Tree<'a>] {
    match held {
        Some(Tree::Array(a)) => a,
        Some(Tree::Null) | None => &[],
        Some(v) => std::slice::from_ref(v),
    }
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_owned()
    } else {
        format!("{base}.{key}")
    }
}

/// The value of an extension's `ror-act-type`, if it carries one.
fn act_type<'t>(item: &'t Tree) -> Option<&'t str> {
    item.get("extension")
        .unwrap_or(&Tree::Null)
        .as_array()?
        .iter()
        .find_map(|e| {
            e.get("url")
                .unwrap_or(&Tree::Null)
                .as_str()
                .is_some_and(|u| u.ends_with("/ror-act-type"))
                .then(|| e.get("valueCode").unwrap_or(&Tree::Null).as_str())
                .flatten()
        })
}

fn in_slice(def: &ElementDef, item: &Tree) -> bool {
    if let Some(id) = &def.id {
        return item.get("id").unwrap_or(&Tree::Null) == id.as_str();
    }
    bound(&def.binding, item) && act_type(item) == def.act_type.as_deref()
}

/// Whether a JSON value has the shape of a FHIR datatype (what JSON can tell).
fn fits(ty: &str, v: &Tree) -> bool {
    static DATE_TIME: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$",
        )
        .expect("constant pattern")
    });
    static INSTANT: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
            .expect("constant pattern")
    });
    let text = v.as_str();
    match ty {
        "string" | "markdown" => text.is_some_and(|s| !s.is_empty()),
        "code" => text.is_some_and(|s| !s.is_empty() && s.trim() == s),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "decimal" => v.is_number(),
        "date" => text.is_some_and(|s| s.len() <= 10 && DATE_TIME.is_match(s) && !s.contains('T')),
        "dateTime" => text.is_some_and(|s| DATE_TIME.is_match(s)),
        "instant" => text.is_some_and(|s| INSTANT.is_match(s)),
        "time" => {
            text.is_some_and(|s| s.len() >= 8 && s.as_bytes()[2] == b':' && s.as_bytes()[5] == b':')
        }
        "CodeableConcept" => {
            v.is_object()
                && v.get("coding").is_none_or(|c| {
                    c.as_array()
                        .is_some_and(|cs| cs.iter().all(|c| fits("Coding", c)))
                })
                && (v.get("coding").is_some() || v.get("text").is_some())
        }
        "Coding" => v.is_object() && v.get("coding").is_none() && v.get("code").is_some(),
        "Reference" => {
            v.is_object()
                && ["reference", "identifier", "display"]
                    .iter()
                    .any(|k| v.get(k).is_some())
        }
        "Quantity" | "Money" => v.is_object() && v.get("value").is_none_or(Tree::is_number),
        "Range" => {
            v.is_object()
                && ["low", "high"]
                    .iter()
                    .all(|k| v.get(k).is_none_or(|q| fits("Quantity", q)))
        }
        _ => v.is_object(),
    }
}

/// `valueCodeableConcept` for `CodeableConcept`.
fn value_key(ty: &str) -> String {
    let mut chars = ty.chars();
    match chars.next() {
        Some(first) => format!("value{}{}", first.to_ascii_uppercase(), chars.as_str()),
        None => "value".to_owned(),
    }
}

/// Whether two extension urls are the same, compared from their end: ROR urls share a
/// 64-byte base and differ in their name, so a comparison from the start read the base
/// again for every pair of (definition, extension).
fn same_url(a: &str, b: &str) -> bool {
    let tail = |s: &str| s.len().saturating_sub(8);
    // Lengths, then the last eight bytes, then the whole (one vectorised comparison).
    a.len() == b.len() && a.as_bytes()[tail(a)..] == b.as_bytes()[tail(b)..] && a == b
}

/// Whether `key` is [`value_key`]`(ty)`, without building it (this runs for every
/// extension of every checked resource).
fn is_value_key(key: &str, ty: &str) -> bool {
    let (Some(rest), Some(first)) = (key.strip_prefix("value"), ty.chars().next()) else {
        return key == "value" && ty.is_empty();
    };
    let mut rest_chars = rest.chars();
    rest_chars.next() == Some(first.to_ascii_uppercase())
        && rest_chars.as_str() == &ty[first.len_utf8()..]
}

/// The `value[x]` key an extension carries, if any.
fn value_of<'t, 'a>(ext: &'t Tree<'a>) -> Option<(&'t str, &'t Tree<'a>)> {
    ext.as_object()?
        .iter()
        .find(|(k, _)| k.starts_with("value"))
        .map(|(k, v)| (k.as_ref(), v))
}

impl Walk<'_> {
    fn error(&mut self, rule: &str, path: &str, message: String) {
        self.out
            .push(Finding::error(rule, &self.name, path, message));
    }

    /// Elements of `defs` under `base` (a resource, a ContactPoint, an extension); `def` is
    /// the definition path that messages name (`HealthcareService`, `…telecom`).
    fn elements(&mut self, base: &Tree, at_path: &str, def: &str, defs: &[&ElementDef]) {
        for el in defs {
            let (parent_path, key) = match el.path.rsplit_once('.') {
                Some((p, k)) => (Some(p), k),
                None => (None, el.path.as_str()),
            };
            // What each parent holds under the element's name, looked up once: a resource
            // has more members than `member` scans, so each lookup hashes the key.
            let top;
            let nested: Vec<(Option<Place>, Option<&Tree>)>;
            let parents = match parent_path {
                None => {
                    top = [(None, base.get(key))];
                    &top[..]
                }
                Some(p) => {
                    nested = at(base, p)
                        .into_iter()
                        .map(|(place, v)| (Some(place), v.get(key)))
                        .collect();
                    &nested[..]
                }
            };
            for &(place, held) in parents {
                if el.card.min == 0 && matches!(held, None | Some(Tree::Null)) {
                    // Absent and optional: nothing to check (most definitions, most places).
                    continue;
                }
                // Named and placed only when said or walked into: most elements pass.
                let name = || match &el.slice {
                    Some(slice) => format!("{def}.{}:{slice}", el.path),
                    None => format!("{def}.{}", el.path),
                };
                let path = || match place {
                    Some(place) => join(&join(at_path, &place.to_string()), key),
                    None => join(at_path, key),
                };
                self.element(el, held, &path, &name);
            }
        }
        self.orphans(base, at_path, def, defs);
    }

    /// One element's occurrences: `held`, what its parent holds under its name.
    fn element(
        &mut self,
        el: &ElementDef,
        held: Option<&Tree>,
        path: &dyn Fn() -> String,
        name: &dyn Fn() -> String,
    ) {
        let all = items_held(held);
        let in_array = matches!(held, Some(Tree::Array(_)));
        let indexed = |i: usize| {
            if in_array {
                format!("{}[{i}]", path())
            } else {
                path()
            }
        };
        let chosen = all
            .iter()
            .enumerate()
            .filter(|(_, item)| el.slice.is_none() || in_slice(el, item));
        let count = chosen.clone().count();
        if !el.card.allows(count) {
            self.error(
                "ROR-STR-01",
                &path(),
                format!("{} {} : {} occurrence(s)", name(), el.card, count),
            );
        }
        for (i, item) in chosen {
            if let Some(ty) = &el.ty
                && !fits(ty, item)
            {
                self.error(
                    "ROR-STR-02",
                    &indexed(i),
                    t!(
                        Lang::current(),
                        "f-type",
                        name = name(),
                        ty = ty,
                        item = item
                    ),
                );
                continue;
            }
            if el.slice.is_none() && !el.binding.is_empty() && !bound(&el.binding, item) {
                self.error(
                    "ROR-STR-03",
                    &indexed(i),
                    t!(
                        Lang::current(),
                        "f-no-code-bound",
                        name = name(),
                        binding = format!("{:?}", el.binding.written)
                    ),
                );
            }
            for (k, want) in &el.fixed {
                if !item.get(k).is_some_and(|held| held.same_as(want)) {
                    self.error(
                        "ROR-STR-05",
                        &format!("{}.{k}", indexed(i)),
                        t!(
                            Lang::current(),
                            "f-fixed",
                            name = name(),
                            k = k,
                            want = want
                        ),
                    );
                }
            }
            if let Some(shape) = el.shape.as_deref() {
                self.shape(shape, item, &indexed(i), &name());
            }
        }
    }

    /// A datatype profile (RORContactPoint) applied to one item.
    fn shape(&mut self, shape: &str, item: &Tree, path: &str, name: &str) {
        let Some(part) = self.shapes.file.datatypes.get(shape) else {
            return;
        };
        let elements: Vec<&ElementDef> = part.elements.iter().collect();
        self.elements(item, path, name, &elements);
        let extensions: Vec<&ExtensionDef> = part.extensions.iter().collect();
        self.extensions(item, path, name, &extensions);
    }

    /// Items of a sliced element that carry a code one of its slices is bound to, yet match
    /// no slice (an acte spécifique without its ror-act-type).
    fn orphans(&mut self, base: &Tree, at_path: &str, def: &str, defs: &[&ElementDef]) {
        let mut by_path: BTreeMap<&str, Vec<&ElementDef>> = BTreeMap::new();
        for el in defs.iter().filter(|e| e.slice.is_some() && e.id.is_none()) {
            by_path.entry(el.path.as_str()).or_default().push(el);
        }
        for (path, slices) in by_path {
            for (p, item) in at(base, path) {
                let claimed = slices.iter().any(|s| bound(&s.binding, item));
                if claimed && !slices.iter().any(|s| in_slice(s, item)) {
                    self.error(
                        "ROR-STR-05",
                        &join(at_path, &p.to_string()),
                        t!(
                            Lang::current(),
                            "f-slice",
                            def = def,
                            path = path,
                            slices = slices
                                .iter()
                                .filter_map(|s| s.slice.as_deref())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
            }
        }
    }

    /// Resource-level extensions and those placed on an element (`on`).
    fn placed_extensions(&mut self, resource: &Tree, rtype: &str, defs: &[&ExtensionDef]) {
        let root: Vec<&ExtensionDef> = defs.iter().copied().filter(|d| d.on.is_none()).collect();
        self.extensions(resource, "", rtype, &root);
        let mut by_place: BTreeMap<&str, Vec<&ExtensionDef>> = BTreeMap::new();
        for d in defs {
            if let Some(on) = &d.on {
                by_place.entry(on.as_str()).or_default().push(d);
            }
        }
        for (on, group) in by_place {
            for (p, item) in at(resource, on) {
                self.extensions(item, &p.to_string(), &format!("{rtype}.{on}"), &group);
            }
        }
    }

    /// The extensions of `holder` against `defs`: cardinality, value type, binding, codes,
    /// sub-extensions of complex ones, and ROR extensions not defined here.
    fn extensions(&mut self, holder: &Tree, path: &str, def: &str, defs: &[&ExtensionDef]) {
        let present = items(holder, "extension");
        // Each extension's url read once, not once a definition.
        let urls: Vec<Option<&str>> = present
            .iter()
            .map(|e| e.get("url").and_then(Tree::as_str))
            .collect();
        // Which extension each definition finds, compared once: (definition, extension),
        // by definition then extension, as they are said.
        let hits: Vec<(usize, usize)> = defs
            .iter()
            .enumerate()
            .flat_map(|(j, d)| {
                let url = d.full_url.as_str();
                urls.iter()
                    .enumerate()
                    .filter(move |(_, u)| u.is_some_and(|u| same_url(u, url)))
                    .map(move |(i, _)| (j, i))
            })
            .collect();
        for (j, d) in defs.iter().enumerate() {
            let url = d.full_url.as_str();
            let found = hits
                .iter()
                .filter(|(def, _)| *def == j)
                .map(|(_, i)| (*i, &present[*i]));
            let count = found.clone().count();
            if count == 0 && d.card.min == 0 {
                // Absent and optional: nothing to say (most definitions, on most holders).
                continue;
            }
            // Named and placed only when said or walked into: most extensions pass.
            let name = || format!("{def}.extension:{}", d.url);
            if !d.card.allows(count) {
                self.error(
                    "ROR-STR-01",
                    &join(path, &format!("extension[url={}]", d.url)),
                    format!("{} {} : {} occurrence(s)", name(), d.card, count),
                );
            }
            for (i, e) in found {
                let at = || join(path, &format!("extension[{i}]"));
                self.extension(d, url, e, &at, &name);
            }
        }
        let complex_holder = holder
            .get("url")
            .unwrap_or(&Tree::Null)
            .as_str()
            .is_some_and(|u| self.shapes.complex(u).is_some());
        for (i, u) in urls.iter().enumerate() {
            let Some(u) = *u else { continue };
            let ror = self
                .shapes
                .file
                .watched_bases
                .iter()
                .any(|b| u.starts_with(b.as_str()));
            if (ror || complex_holder) && !hits.iter().any(|(_, hit)| *hit == i) {
                self.out.push(Finding::warning(
                    "ROR-STR-04",
                    &self.name,
                    &join(path, &format!("extension[{i}]")),
                    t!(Lang::current(), "f-extension-undefined", def = def, u = u),
                ));
            }
        }
    }

    fn extension(
        &mut self,
        d: &ExtensionDef,
        url: &str,
        e: &Tree,
        path: &dyn Fn() -> String,
        name: &dyn Fn() -> String,
    ) {
        if let Some(sub) = self.shapes.complex(url) {
            if let Some((k, _)) = value_of(e) {
                self.error(
                    "ROR-STR-02",
                    &path(),
                    t!(Lang::current(), "f-complex-extension", name = name(), k = k),
                );
            }
            let defs: Vec<&ExtensionDef> = sub.iter().collect();
            self.extensions(e, &path(), &name(), &defs);
            return;
        }
        if let Some(ty) = &d.value {
            match value_of(e) {
                Some((k, v)) if is_value_key(k, ty) => {
                    if !fits(ty, v) {
                        self.error(
                            "ROR-STR-02",
                            &format!("{}.{k}", path()),
                            t!(Lang::current(), "f-malformed", name = name(), k = k, v = v),
                        );
                    } else if !d.binding.is_empty() && !bound(&d.binding, v) {
                        self.error(
                            "ROR-STR-03",
                            &format!("{}.{k}", path()),
                            t!(
                                Lang::current(),
                                "f-no-code-bound",
                                name = name(),
                                binding = format!("{:?}", d.binding.written)
                            ),
                        );
                    } else if !d.codes.is_empty()
                        && !v.as_str().is_some_and(|c| d.codes.iter().any(|x| x == c))
                    {
                        self.error(
                            "ROR-STR-03",
                            &format!("{}.{k}", path()),
                            t!(
                                Lang::current(),
                                "f-out-of-codes",
                                name = name(),
                                v = v,
                                codes = format!("{:?}", d.codes)
                            ),
                        );
                    }
                }
                other => self.error(
                    "ROR-STR-02",
                    &path(),
                    t!(
                        Lang::current(),
                        "f-want-found",
                        name = name(),
                        want = value_key(ty),
                        found = other.map_or("aucune valeur", |(k, _)| k)
                    ),
                ),
            }
        }
        if !d.elements.is_empty() {
            let elements: Vec<&ElementDef> = d.elements.iter().collect();
            self.elements(e, &path(), &name(), &elements);
        }
    }
}

#[cfg(test)]
#[path = "shapes_tests.rs"]
mod tests;
