//! The message catalogue: every sentence rorcheck writes for people — console, reports,
//! `doctor`, verdict reasons — exists in French and in English, in one Fluent file per
//! language (`locales/fr.ftl`, `locales/en.ftl`), embedded in the binary.
//!
//! Code names a message by its id and passes named arguments; it never holds the words:
//!
//! ```
//! use rorcheck_i18n::{Lang, t};
//! assert_eq!(t!(Lang::En, "status-passed"), "passed");
//! assert_eq!(t!(Lang::Fr, "count-scenarios", count = 2), "2 scénarios");
//! ```
//!
//! One language per run: the command line sets it once ([`Lang::set_current`]), before any
//! text is composed, and the engine's verdict texts, the console and the reports are
//! composed in [`Lang::current`] (`doctor` carries its language in its diagnosis).
//! The tests of this crate hold the catalogue honest: both files parse, hold the same ids
//! with the same arguments, and every id the sources use exists (and no other).

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU8, Ordering};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentResource, FluentValue};

pub use fluent_bundle::FluentArgs;

/// French, the default (the ROR programme team's language), or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    /// Français.
    #[default]
    Fr,
    /// English.
    En,
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

impl Lang {
    /// Both languages.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// The BCP 47 code (`fr`, `en`), as in `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// `fr` or `en` (any case, region ignored: `en-GB`, `fr_FR.UTF-8`); anything else is
    /// not a language rorcheck speaks.
    pub fn parse(text: &str) -> Option<Lang> {
        let primary = text
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language of the environment's locale — the first set of `LC_ALL`, `LC_MESSAGES`,
    /// `LANG`, as POSIX orders them — when it is French or English; French otherwise
    /// (`C`, `POSIX`, unset, another language).
    pub fn from_locale() -> Lang {
        Self::from_locale_vars(|name| std::env::var(name).ok())
    }

    /// [`Lang::from_locale`] over any variable source (tests).
    pub fn from_locale_vars(get: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|name| get(name).filter(|v| !v.is_empty()))
            .next()
            .and_then(|v| Lang::parse(&v))
            .unwrap_or_default()
    }

    /// The language of this process's run (French until [`Lang::set_current`]).
    pub fn current() -> Lang {
        match CURRENT.load(Ordering::Relaxed) {
            1 => Lang::En,
            _ => Lang::Fr,
        }
    }

    /// Sets the language of this process's run: the command line does it once, before any
    /// text is composed.
    pub fn set_current(lang: Lang) {
        CURRENT.store(
            match lang {
                Lang::Fr => 0,
                Lang::En => 1,
            },
            Ordering::Relaxed,
        );
    }
}

/// The Fluent source of a language.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => include_str!("../locales/fr.ftl"),
        Lang::En => include_str!("../locales/en.ftl"),
    }
}

fn load(lang: Lang) -> FluentBundle<FluentResource> {
    // A syntax error keeps the messages that parsed; the tests make sure there is none.
    let resource = FluentResource::try_new(source(lang).to_owned()).unwrap_or_else(|(r, _)| r);
    // Plural rules come from the language: French "one" covers 0 and 1, English only 1.
    let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // No Unicode isolation marks around arguments: the texts go to terminals, XML and HTML
    // where invisible characters only get in the way.
    bundle.set_use_isolating(false);
    // Two messages with one id is a catalogue error the tests catch; keep the first.
    let _ = bundle.add_resource(resource);
    bundle
}

static FR: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| load(Lang::Fr));
static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| load(Lang::En));

fn bundle(lang: Lang) -> &'static FluentBundle<FluentResource> {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

/// The message `id` in `lang`, with its arguments. An id missing from the catalogue (which
/// the tests forbid) comes back as the id itself rather than nothing.
pub fn text(lang: Lang, id: &str, args: Option<&FluentArgs>) -> String {
    let bundle = bundle(lang);
    match bundle.get_message(id).and_then(|m| m.value()) {
        Some(pattern) => {
            let mut errors = Vec::new();
            bundle
                .format_pattern(pattern, args, &mut errors)
                .into_owned()
        }
        None => id.to_owned(),
    }
}

/// A value given to a message: text, or a number (which plural forms select on). The
/// macro borrows what it is given, so fields are passed as they are (`id = s.id`).
pub trait Arg {
    /// As Fluent holds it.
    fn to_value(&self) -> FluentValue<'static>;
}

impl Arg for str {
    fn to_value(&self) -> FluentValue<'static> {
        FluentValue::from(self.to_owned())
    }
}

impl Arg for String {
    fn to_value(&self) -> FluentValue<'static> {
        FluentValue::from(self.clone())
    }
}

impl Arg for std::borrow::Cow<'_, str> {
    fn to_value(&self) -> FluentValue<'static> {
        FluentValue::from(self.to_string())
    }
}

impl<T: Arg + ?Sized> Arg for &T {
    fn to_value(&self) -> FluentValue<'static> {
        (**self).to_value()
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl Arg for $t {
            fn to_value(&self) -> FluentValue<'static> {
                FluentValue::from(*self)
            }
        }
    )*};
}
numbers!(u8, u16, u32, u64, usize, i32, i64, f64);

/// What the macro wraps each value in: numbers and text go through [`Arg`] (numbers stay
/// numbers, for plurals); any other `Display` value (an error, a URL, a path's display) is
/// formatted. The choice is made at compile time by method resolution (autoref).
#[doc(hidden)]
pub struct Wrap<'a, T: ?Sized>(pub &'a T);

#[doc(hidden)]
pub trait ViaArg {
    fn fluent_value(&self) -> FluentValue<'static>;
}

impl<T: Arg + ?Sized> ViaArg for Wrap<'_, T> {
    fn fluent_value(&self) -> FluentValue<'static> {
        self.0.to_value()
    }
}

#[doc(hidden)]
pub trait ViaDisplay {
    fn fluent_value(&self) -> FluentValue<'static>;
}

impl<T: std::fmt::Display + ?Sized> ViaDisplay for &Wrap<'_, T> {
    fn fluent_value(&self) -> FluentValue<'static> {
        FluentValue::from(self.0.to_string())
    }
}

/// `t!(lang, "id")` or `t!(lang, "id", name = value, ...)`: the message in that language.
/// Values are text, numbers ([`Arg`]) or anything `Display`; the macro borrows them.
#[macro_export]
macro_rules! t {
    ($lang:expr, $id:literal $(,)?) => {
        $crate::text($lang, $id, None)
    };
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        let mut args = $crate::FluentArgs::new();
        #[allow(unused_imports)]
        use $crate::{ViaArg as _, ViaDisplay as _};
        $( args.set(stringify!($name), (&$crate::Wrap(&$value)).fluent_value()); )+
        $crate::text($lang, $id, Some(&args))
    }};
}

#[cfg(test)]
mod tests;
