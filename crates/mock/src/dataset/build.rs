//! `obj!`: JSON literals like `serde_json::json!`, built as the generator's [`Json`] tree.
//!
//! `json!` turns every interpolated expression into a `Value` through `serde_json::to_value`,
//! which re-serialises a `Value` it is given, and every key into an allocated, hashed
//! `String`. Here a value is moved, a constant string borrowed, and keys are the literals
//! themselves. The syntax is `json!`'s for what the generator writes: objects with literal
//! keys, arrays, expressions.

use std::borrow::Cow;

use super::json::Json;

/// Turns a generator value into JSON, taking ownership where it can.
pub(crate) trait IntoJson {
    fn into_json(self) -> Json;

    /// The constant string it is, if it is one (what [`super::ig::concept`] shares).
    fn as_static(&self) -> Option<&'static str> {
        None
    }
}

impl IntoJson for Json {
    fn into_json(self) -> Json {
        self
    }
}

impl IntoJson for &Json {
    fn into_json(self) -> Json {
        self.clone()
    }
}

impl IntoJson for String {
    fn into_json(self) -> Json {
        Json::Str(Cow::Owned(self))
    }
}

impl IntoJson for &String {
    fn into_json(self) -> Json {
        Json::Str(Cow::Owned(self.clone()))
    }
}

/// A constant is borrowed, not copied: most of a resource's strings are systems and codes.
impl IntoJson for &'static str {
    fn into_json(self) -> Json {
        Json::Str(Cow::Borrowed(self))
    }
    fn as_static(&self) -> Option<&'static str> {
        Some(self)
    }
}

impl IntoJson for &&'static str {
    fn into_json(self) -> Json {
        Json::Str(Cow::Borrowed(*self))
    }
    fn as_static(&self) -> Option<&'static str> {
        Some(self)
    }
}

impl IntoJson for bool {
    fn into_json(self) -> Json {
        Json::Bool(self)
    }
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl IntoJson for $t {
            fn into_json(self) -> Json {
                Json::Int(i64::try_from(self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
integers!(i32, i64, u8, u32, u64, usize);

impl IntoJson for f64 {
    fn into_json(self) -> Json {
        Json::Float(self)
    }
}

impl<T: IntoJson> IntoJson for Vec<T> {
    fn into_json(self) -> Json {
        Json::Array(self.into_iter().map(IntoJson::into_json).collect())
    }
}

impl<T: IntoJson, const N: usize> IntoJson for [T; N] {
    fn into_json(self) -> Json {
        Json::Array(self.into_iter().map(IntoJson::into_json).collect())
    }
}

impl<T: IntoJson> IntoJson for Option<T> {
    fn into_json(self) -> Json {
        self.map_or(Json::Null, IntoJson::into_json)
    }
}

/// A JSON value: `obj!({ "key": value, … })`, `obj!([a, b])`, `obj!(null)` or `obj!(expr)`.
macro_rules! obj {
    // Internal arms first: `$e:expr` must not try to parse them. Members and items are
    // gathered, then built in one `vec![…]`: one allocation of the right size each.
    // An object's members: `"key": value-tokens` up to a comma at this level.
    (@object ($($done:tt)*) () ()) => {
        $crate::dataset::json::Json::Object(vec![$($done)*])
    };
    (@object ($($done:tt)*) () ($key:literal : $($rest:tt)*)) => {
        $crate::dataset::build::obj!(@member ($($done)*) $key () ($($rest)*))
    };
    (@member ($($done:tt)*) $key:literal ($($value:tt)+) (, $($rest:tt)*)) => {
        $crate::dataset::build::obj!(@object ($($done)* ($key, $crate::dataset::build::obj!($($value)+)),) () ($($rest)*))
    };
    (@member ($($done:tt)*) $key:literal ($($value:tt)+) ()) => {
        $crate::dataset::build::obj!(@object ($($done)* ($key, $crate::dataset::build::obj!($($value)+)),) () ())
    };
    (@member ($($done:tt)*) $key:literal ($($value:tt)*) ($next:tt $($rest:tt)*)) => {
        $crate::dataset::build::obj!(@member ($($done)*) $key ($($value)* $next) ($($rest)*))
    };

    // An array's items: value tokens up to a comma at this level.
    (@array ($($done:tt)*) () ()) => {
        $crate::dataset::json::Json::Array(vec![$($done)*])
    };
    (@array ($($done:tt)*) ($($item:tt)+) (, $($rest:tt)*)) => {
        $crate::dataset::build::obj!(@array ($($done)* $crate::dataset::build::obj!($($item)+),) () ($($rest)*))
    };
    (@array ($($done:tt)*) ($($item:tt)+) ()) => {
        $crate::dataset::build::obj!(@array ($($done)* $crate::dataset::build::obj!($($item)+),) () ())
    };
    (@array ($($done:tt)*) ($($item:tt)*) ($next:tt $($rest:tt)*)) => {
        $crate::dataset::build::obj!(@array ($($done)*) ($($item)* $next) ($($rest)*))
    };

    (null) => { $crate::dataset::json::Json::Null };
    ({ $($tt:tt)* }) => {
        $crate::dataset::build::obj!(@object () () ($($tt)*))
    };
    ([ $($tt:tt)* ]) => {
        $crate::dataset::build::obj!(@array () () ($($tt)*))
    };
    ($e:expr) => { $crate::dataset::build::IntoJson::into_json($e) };
}
pub(crate) use obj;

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_same_json_as_serde_json_s_macro_in_the_same_order() {
        let coding = json!({"system": "s", "code": "1"});
        let built_coding = obj!({"system": "s", "code": "1"});
        let name = String::from("Unité");
        let built = obj!({
            "resourceType": "HealthcareService",
            "coding": [built_coding.clone(), { "code": format!("{}{}", 1, 2), "n": 3 }],
            "name": &name,
            "active": true,
            "none": null,
            "empty": {},
            "list": [],
            "count": 1 + 2,
            "nested": { "a": [1, 2, { "b": name.clone() }], "z": Some(built_coding) }
        })
        .to_value();
        let expected = json!({
            "resourceType": "HealthcareService",
            "coding": [coding.clone(), { "code": "12", "n": 3 }],
            "name": "Unité",
            "active": true,
            "none": null,
            "empty": {},
            "list": [],
            "count": 3,
            "nested": { "a": [1, 2, { "b": "Unité" }], "z": coding }
        });
        assert_eq!(built, expected);
        assert_eq!(built.to_string(), expected.to_string());
        let mut text = Vec::new();
        obj!({"k": [1, "a", 2.5, null, {}]}).write(&mut text);
        assert_eq!(text, br#"{"k":[1,"a",2.5,null,{}]}"#);
    }
}
