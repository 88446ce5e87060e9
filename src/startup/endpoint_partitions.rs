//! The narrowed endpoint table the SDK clients read where `SMITHY_CLIENT_SDK_CUSTOM_PARTITION` names
//! one (template.yaml: the function's own region's, from the endpoint-partitions layer), checked at
//! start-up before any client is built: every SDK crate parses that file in its first client's
//! constructor instead of its compiled-in table of all eight partitions, and panics on a file it cannot
//! read or parse. Here a missing, oversized or malformed file, or one that does not list the
//! function's region, stops the start with its reason, so that no region is ever resolved against a
//! partition it does not belong to (the SDK falls back to `aws` for a region no partition matches).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::IgnoredAny;
use tracing::info;

/// The SDK's variable (smithy-rs' generated `endpoint_lib`), read once by each SDK crate.
pub const VARIABLE: &str = "SMITHY_CLIENT_SDK_CUSTOM_PARTITION";

/// The largest file read: one region's is under 1 KB, the SDK's whole table under 5 KB.
const LIMIT: u64 = 64 * 1024;

/// Why the named table cannot be used; the function does not start.
#[derive(Debug, thiserror::Error)]
#[error(
    "{VARIABLE} {path:?}: {problem} (a partition table as scripts/endpoint-partitions.sh writes them; unset the variable to use the SDK's own)"
)]
pub struct InvalidPartitionTable {
    path: PathBuf,
    problem: String,
}

/// The part of the SDK's format (`partitions.json` v1.1) the SDK requires of every partition.
#[derive(Deserialize)]
struct Table {
    partitions: Vec<Partition>,
}

#[derive(Deserialize)]
struct Partition {
    id: String,
    #[serde(rename = "regionRegex")]
    _region_regex: String,
    regions: BTreeMap<String, BTreeMap<String, IgnoredAny>>,
    #[serde(rename = "outputs")]
    _outputs: Outputs,
}

#[derive(Deserialize)]
struct Outputs {
    #[serde(rename = "name")]
    _name: String,
    #[serde(rename = "dnsSuffix")]
    _dns_suffix: String,
    #[serde(rename = "dualStackDnsSuffix")]
    _dual_stack_dns_suffix: String,
    #[serde(rename = "supportsFIPS")]
    _supports_fips: bool,
    #[serde(rename = "supportsDualStack")]
    _supports_dual_stack: bool,
    #[serde(rename = "implicitGlobalRegion")]
    _implicit_global_region: String,
}

/// Checks the table `SMITHY_CLIENT_SDK_CUSTOM_PARTITION` names, if it is set, against `region`, the
/// region every client of the process resolves its endpoints for; logs the partition it found.
pub fn check(
    lookup: impl Fn(&str) -> Option<String>,
    region: Option<&str>,
) -> Result<(), InvalidPartitionTable> {
    let Some(path) = lookup(VARIABLE) else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    let invalid = |problem: String| InvalidPartitionTable {
        path: path.clone(),
        problem,
    };
    if path.as_os_str().is_empty() {
        return Err(invalid("is set but empty".to_owned()));
    }
    let text = read_bounded(&path).map_err(invalid)?;
    let table: Table = serde_json::from_slice(&text)
        .map_err(|error| invalid(format!("is not a partition table: {error}")))?;
    let region = region.ok_or_else(|| {
        invalid("no region is configured (AWS_REGION) to look up in it".to_owned())
    })?;
    let Some(partition) = table
        .partitions
        .iter()
        .find(|partition| partition.regions.contains_key(region))
    else {
        let ids: Vec<&str> = table.partitions.iter().map(|p| p.id.as_str()).collect();
        return Err(invalid(format!(
            "lists region {region:?} in none of its partitions ({}): the clients would resolve it against another partition",
            ids.join(", ")
        )));
    };
    info!(
        file = %path.display(),
        partition = %partition.id,
        region,
        "endpoint partitions: the SDK clients read this partition's table only"
    );
    Ok(())
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let unreadable = |error: std::io::Error| format!("cannot be read: {error}");
    if !std::fs::metadata(path).map_err(unreadable)?.is_file() {
        return Err("is not a regular file".to_owned());
    }
    let mut text = Vec::new();
    std::fs::File::open(path)
        .map_err(unreadable)?
        .take(LIMIT + 1)
        .read_to_end(&mut text)
        .map_err(unreadable)?;
    if text.len() as u64 > LIMIT {
        return Err(format!("is larger than {LIMIT} bytes"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const US_EAST_1: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/endpoint-partitions/endpoint-partition-us-east-1.json"
    );

    fn check_file(path: &str, region: Option<&str>) -> Result<(), String> {
        let path = path.to_owned();
        check(|name| (name == VARIABLE).then(|| path.clone()), region)
            .map_err(|error| error.to_string())
    }

    fn written(name: &str, content: &str) -> String {
        let path = std::env::temp_dir().join(format!(
            "idp-gateway-partitions-{}-{name}.json",
            std::process::id()
        ));
        std::fs::write(&path, content).expect("a temporary file");
        path.to_string_lossy().into_owned()
    }

    #[test]
    fn unset_is_the_sdks_own_table() {
        assert!(check(|_| None, None).is_ok());
    }

    #[test]
    fn the_shipped_table_of_a_region_is_accepted_for_it() {
        assert!(check_file(US_EAST_1, Some("us-east-1")).is_ok());
    }

    #[test]
    fn the_table_of_another_region_is_refused() {
        let error = check_file(US_EAST_1, Some("eu-west-1")).unwrap_err();
        assert!(
            error.contains("\"eu-west-1\" in none of its partitions (aws)"),
            "{error}"
        );
        let error = check_file(US_EAST_1, Some("us-gov-west-1")).unwrap_err();
        assert!(error.contains("\"us-gov-west-1\""), "{error}");
    }

    #[test]
    fn no_region_is_refused() {
        let error = check_file(US_EAST_1, None).unwrap_err();
        assert!(error.contains("no region"), "{error}");
    }

    #[test]
    fn an_empty_missing_or_unreadable_setting_is_refused() {
        let error = check_file("", Some("us-east-1")).unwrap_err();
        assert!(error.contains("set but empty"), "{error}");
        let error = check_file("/nonexistent/partitions.json", Some("us-east-1")).unwrap_err();
        assert!(error.contains("cannot be read"), "{error}");
        let directory = env!("CARGO_MANIFEST_DIR");
        let error = check_file(directory, Some("us-east-1")).unwrap_err();
        assert!(error.contains("not a regular file"), "{error}");
        let large = written("large", &" ".repeat(LIMIT as usize + 1));
        let error = check_file(&large, Some("us-east-1")).unwrap_err();
        assert!(error.contains("larger than 65536 bytes"), "{error}");
    }

    #[test]
    fn a_table_the_sdk_would_panic_on_is_refused() {
        let shipped = std::fs::read_to_string(US_EAST_1).expect("the shipped table");
        for (name, broken) in [
            ("not-json", "{".to_owned()),
            ("no-partitions", "{\"version\":\"1.1\"}".to_owned()),
            (
                "no-regex",
                shipped.replace("\"regionRegex\"", "\"pattern\""),
            ),
            (
                "no-dns-suffix",
                shipped.replace("\"dnsSuffix\"", "\"suffix\""),
            ),
            (
                "null-fips",
                shipped.replace("\"supportsFIPS\": true", "\"supportsFIPS\": null"),
            ),
        ] {
            assert_ne!(broken, shipped, "{name}: the test's edit applies");
            let path = written(name, &broken);
            let error = check_file(&path, Some("us-east-1")).unwrap_err();
            assert!(
                error.contains("is not a partition table"),
                "{name}: {error}"
            );
        }
    }
}
