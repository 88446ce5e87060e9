//! JSON parsing that refuses duplicate member names (serde_json keeps the last one silently, which
//! would let `{"authenticationMode": "A", "authenticationMode": "B"}` mean two things).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses `bytes` as one JSON value, refusing duplicate member names at any depth. serde_json's own
/// recursion limit still refuses absurd nesting.
pub fn parse(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<StrictValue>(bytes).map(|strict| strict.0)
}

struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Number::from_f64(value)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        let mut values = Vec::new();
        while let Some(StrictValue(value)) = items.next_element()? {
            values.push(value);
        }
        Ok(Value::Array(values))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(name) = members.next_key::<String>()? {
            if object.contains_key(&name) {
                return Err(de::Error::custom(format!("duplicate member name {name:?}")));
            }
            let StrictValue(value) = members.next_value()?;
            object.insert(name, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_ordinary_json() {
        let value = parse(br#"{"a":[1,-2,3.5,true,null,"x"],"b":{"c":{}}}"#).expect("valid");
        assert_eq!(value, json!({"a":[1,-2,3.5,true,null,"x"],"b":{"c":{}}}));
    }

    #[test]
    fn refuses_duplicate_members_at_any_depth() {
        for body in [
            &br#"{"a":1,"a":2}"#[..],
            br#"{"x":{"b":1,"b":1}}"#,
            br#"[{"c":1,"c":2}]"#,
        ] {
            let error = parse(body).expect_err("duplicate");
            assert!(
                error.to_string().contains("duplicate member name"),
                "{error}"
            );
        }
    }

    #[test]
    fn refuses_deep_nesting_and_trailing_garbage() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(parse(deep.as_bytes()).is_err());
        assert!(parse(b"{} {}").is_err());
        assert!(parse(b"1e999").is_err());
    }
}
