//! Serde helpers: `i64` minor units as a JSON string (`"1250"`).

use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(value)
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let text = String::deserialize(deserializer)?;
    text.parse().map_err(|_| serde::de::Error::custom(format!("{text:?} is not an amount in minor units")))
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, PartialEq, Debug)]
    struct Amount {
        #[serde(with = "super")]
        total_minor: i64,
    }

    #[test]
    fn minor_units_travel_as_strings() {
        let json = serde_json::to_string(&Amount { total_minor: 9_007_199_254_740_993 }).expect("serialize");
        assert_eq!(json, r#"{"total_minor":"9007199254740993"}"#);
        let back: Amount = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back.total_minor, 9_007_199_254_740_993);
        assert!(serde_json::from_str::<Amount>(r#"{"total_minor":12}"#).is_err());
        assert!(serde_json::from_str::<Amount>(r#"{"total_minor":"12.5"}"#).is_err());
    }
}
