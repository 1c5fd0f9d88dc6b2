//! `obj!`: JSON literals like `serde_json::json!`, but values are moved in, not copied.
//!
//! `json!` turns every interpolated expression into a `Value` through `serde_json::to_value`,
//! which re-serialises a `Value` it is given: each helper's element was copied once per
//! level it was nested in, and generating a dataset spent most of its time in the allocator.
//! Here a `Value` is moved and a string is converted once. The syntax is `json!`'s for what
//! the generator writes: objects with literal keys, arrays, expressions.

use serde_json::{Map, Value};

/// Turns a generator value into JSON, taking ownership where it can.
pub(crate) trait IntoJson {
    fn into_json(self) -> Value;
}

impl IntoJson for Value {
    fn into_json(self) -> Value {
        self
    }
}

impl IntoJson for &Value {
    fn into_json(self) -> Value {
        self.clone()
    }
}

impl IntoJson for String {
    fn into_json(self) -> Value {
        Value::String(self)
    }
}

impl IntoJson for &String {
    fn into_json(self) -> Value {
        Value::String(self.clone())
    }
}

impl IntoJson for &str {
    fn into_json(self) -> Value {
        Value::String(self.to_owned())
    }
}

impl IntoJson for &&str {
    fn into_json(self) -> Value {
        Value::String((*self).to_owned())
    }
}

impl IntoJson for bool {
    fn into_json(self) -> Value {
        Value::Bool(self)
    }
}

macro_rules! numbers {
    ($($t:ty),*) => {$(
        impl IntoJson for $t {
            fn into_json(self) -> Value {
                Value::from(self)
            }
        }
    )*};
}
numbers!(i32, i64, u8, u32, u64, usize, f64);

impl<T: IntoJson> IntoJson for Vec<T> {
    fn into_json(self) -> Value {
        Value::Array(self.into_iter().map(IntoJson::into_json).collect())
    }
}

impl<T: IntoJson, const N: usize> IntoJson for [T; N] {
    fn into_json(self) -> Value {
        Value::Array(self.into_iter().map(IntoJson::into_json).collect())
    }
}

impl<T: IntoJson> IntoJson for Option<T> {
    fn into_json(self) -> Value {
        self.map_or(Value::Null, IntoJson::into_json)
    }
}

impl IntoJson for Map<String, Value> {
    fn into_json(self) -> Value {
        Value::Object(self)
    }
}

/// An empty array for `obj!` to push items into one by one as it reads them (a function,
/// so that clippy does not ask for a `vec![]` the macro cannot write).
pub(crate) fn items() -> Vec<Value> {
    Vec::new()
}

/// A JSON value: `obj!({ "key": value, … })`, `obj!([a, b])`, `obj!(null)` or `obj!(expr)`.
macro_rules! obj {
    // Internal arms first: `$e:expr` must not try to parse them.
    // An object's members: `"key": value-tokens` up to a comma at this level.
    (@object $m:ident () ()) => {};
    (@object $m:ident () ($key:literal : $($rest:tt)*)) => {
        $crate::dataset::build::obj!(@member $m $key () ($($rest)*))
    };
    (@member $m:ident $key:literal ($($value:tt)+) (, $($rest:tt)*)) => {
        $m.insert(String::from($key), $crate::dataset::build::obj!($($value)+));
        $crate::dataset::build::obj!(@object $m () ($($rest)*))
    };
    (@member $m:ident $key:literal ($($value:tt)+) ()) => {
        $m.insert(String::from($key), $crate::dataset::build::obj!($($value)+));
    };
    (@member $m:ident $key:literal ($($value:tt)*) ($next:tt $($rest:tt)*)) => {
        $crate::dataset::build::obj!(@member $m $key ($($value)* $next) ($($rest)*))
    };

    // An array's items: value tokens up to a comma at this level.
    (@array $v:ident () ()) => {};
    (@array $v:ident ($($item:tt)+) (, $($rest:tt)*)) => {
        $v.push($crate::dataset::build::obj!($($item)+));
        $crate::dataset::build::obj!(@array $v () ($($rest)*))
    };
    (@array $v:ident ($($item:tt)+) ()) => {
        $v.push($crate::dataset::build::obj!($($item)+));
    };
    (@array $v:ident ($($item:tt)*) ($next:tt $($rest:tt)*)) => {
        $crate::dataset::build::obj!(@array $v ($($item)* $next) ($($rest)*))
    };

    (null) => { serde_json::Value::Null };
    ({ $($tt:tt)* }) => {{
        #[allow(unused_mut)]
        let mut map = serde_json::Map::new();
        $crate::dataset::build::obj!(@object map () ($($tt)*));
        serde_json::Value::Object(map)
    }};
    ([ $($tt:tt)* ]) => {{
        #[allow(unused_mut)]
        let mut items = $crate::dataset::build::items();
        $crate::dataset::build::obj!(@array items () ($($tt)*));
        serde_json::Value::Array(items)
    }};
    ($e:expr) => { $crate::dataset::build::IntoJson::into_json($e) };
}
pub(crate) use obj;

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn the_same_json_as_serde_json_s_macro_in_the_same_order() {
        let coding = json!({"system": "s", "code": "1"});
        let name = String::from("Unité");
        let built = obj!({
            "resourceType": "HealthcareService",
            "coding": [coding.clone(), { "code": format!("{}{}", 1, 2), "n": 3 }],
            "name": &name,
            "active": true,
            "none": null,
            "empty": {},
            "list": [],
            "count": 1 + 2,
            "nested": { "a": [1, 2, { "b": name.as_str() }], "z": Some(coding.clone()) }
        });
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
    }
}
