//! CloudWatch Embedded Metric Format: a JSON log line that CloudWatch turns into metrics, shared by the
//! API's audit counts and the enforcer's run counts.

use serde_json::{Map, Value, json};

/// One EMF document: `counts` under `namespace`, with `dimensions` (name, value) as the one dimension set.
pub fn emf_line(
    namespace: &str,
    dimensions: &[(&str, &str)],
    counts: &[(&str, usize)],
    timestamp_millis: u128,
) -> String {
    let mut document = Map::new();
    document.insert(
        "_aws".to_owned(),
        json!({
            "Timestamp": timestamp_millis,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [dimensions.iter().map(|(name, _)| *name).collect::<Vec<_>>()],
                "Metrics": counts.iter().map(|(name, _)| json!({ "Name": name, "Unit": "Count" })).collect::<Vec<_>>(),
            }]
        }),
    );
    for (name, value) in dimensions {
        document.insert((*name).to_owned(), Value::from(*value));
    }
    for (name, count) in counts {
        document.insert((*name).to_owned(), Value::from(*count));
    }
    Value::Object(document).to_string()
}

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declares_every_metric_and_dimension_it_carries() {
        let line = emf_line(
            "Space",
            &[("Trigger", "schedule")],
            &[("Failed", 2), ("Skipped", 0)],
            7,
        );
        let value: Value = serde_json::from_str(&line).expect("JSON");
        assert_eq!(value["_aws"]["Timestamp"], 7);
        assert_eq!(
            value["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Trigger"]])
        );
        assert_eq!(
            value["_aws"]["CloudWatchMetrics"][0]["Metrics"][1]["Name"],
            "Skipped"
        );
        assert_eq!(value["Trigger"], "schedule");
        assert_eq!(value["Failed"], 2);
    }
}
