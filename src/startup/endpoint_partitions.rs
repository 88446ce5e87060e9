//! The narrowed endpoint table the SDK clients read where `SMITHY_CLIENT_SDK_CUSTOM_PARTITION` names
//! one (template.yaml: the function's own region's, from the endpoint-partitions layer), checked at
//! start-up before the AWS configuration loads: every SDK crate (STS too, where the credential chain
//! builds its client) parses that file in its first client's constructor instead of its compiled-in
//! table of all eight partitions. The file must be, byte for byte, the table this build ships for the
//! configured region (`endpoint-partitions/`, compiled in by `shipped.rs`), which
//! tests/endpoint_partitions.rs resolves against the SDK's full table; anything else stops the start
//! with its reason. The SDK itself would panic on a file it cannot parse, resolve a region the file
//! does not list against the `aws` partition, and send every call wherever the file's DNS suffix
//! points. The SDK reads the file again after this check; in Lambda, layers under `/opt` are read-only.

mod shipped;

use std::io::Read;
use std::path::{Path, PathBuf};

use tracing::info;

/// The SDK's variable (smithy-rs' generated `endpoint_lib`), read once by each SDK crate.
pub const PARTITION_FILE_VARIABLE: &str = "SMITHY_CLIENT_SDK_CUSTOM_PARTITION";

/// The largest file read: a region's table is under 1 KB.
const MAX_TABLE_BYTES: u64 = 64 * 1024;

/// Why the named table cannot be used; the function does not start.
#[derive(Debug, thiserror::Error)]
#[error(
    "{PARTITION_FILE_VARIABLE} {path:?}: {problem} (this build reads only the endpoint tables it ships, endpoint-partitions/; unset the variable to use the SDK's full table)"
)]
pub struct InvalidPartitionTable {
    path: PathBuf,
    problem: String,
}

/// The regions this build ships an endpoint table for.
pub fn shipped_regions() -> impl Iterator<Item = &'static str> {
    shipped::SHIPPED.iter().map(|(region, _)| *region)
}

/// What [`check`] found: no table named, or the one this build ships for a region, which only an AWS
/// configuration of that region may then be used with ([`CheckedEndpointTable::admits`]).
#[derive(Debug)]
pub struct CheckedEndpointTable {
    checked: Option<(PathBuf, String)>,
}

impl CheckedEndpointTable {
    /// The configuration's region may resolve endpoints on the checked table: no table is named, or
    /// it is the one of this region.
    pub fn admits(&self, region: Option<&str>) -> Result<(), InvalidPartitionTable> {
        match &self.checked {
            Some((path, checked)) if region != Some(checked.as_str()) => {
                Err(InvalidPartitionTable {
                    path: path.clone(),
                    problem: format!(
                        "was checked for region {checked:?}, but the AWS configuration's region is {region:?}"
                    ),
                })
            }
            _ => Ok(()),
        }
    }
}

/// Checks the table `SMITHY_CLIENT_SDK_CUSTOM_PARTITION` names, if it is set: it must be the one this
/// build ships for `region`, the region every client of the process will resolve its endpoints for.
/// Call it before the AWS configuration loads: loading may build an STS client, which reads the file.
pub fn check(
    lookup: impl Fn(&str) -> Option<String>,
    region: Option<&str>,
) -> Result<CheckedEndpointTable, InvalidPartitionTable> {
    let Some(path) = lookup(PARTITION_FILE_VARIABLE) else {
        return Ok(CheckedEndpointTable { checked: None });
    };
    let path = PathBuf::from(path);
    let invalid = |problem: String| InvalidPartitionTable {
        path: path.clone(),
        problem,
    };
    if path.as_os_str().is_empty() {
        return Err(invalid("is set but empty".to_owned()));
    }
    let region = region.ok_or_else(|| {
        invalid("no region is configured (AWS_REGION) to check it against".to_owned())
    })?;
    let Some((_, expected)) = shipped::SHIPPED
        .iter()
        .find(|(shipped, _)| *shipped == region)
    else {
        return Err(invalid(format!(
            "this build ships no endpoint table for region {region:?}"
        )));
    };
    let text = read_bounded(&path).map_err(invalid)?;
    if text != *expected {
        return Err(invalid(format!(
            "is not the endpoint table this build ships for region {region:?} (endpoint-partitions/endpoint-partition-{region}.json)"
        )));
    }
    info!(
        file = %path.display(),
        region,
        "endpoint table: the SDK clients read this region's entry only"
    );
    Ok(CheckedEndpointTable {
        checked: Some((path, region.to_owned())),
    })
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, String> {
    let unreadable = |error: std::io::Error| format!("cannot be read: {error}");
    // Before opening too: opening a FIFO would wait for a writer.
    if !std::fs::metadata(path).map_err(unreadable)?.is_file() {
        return Err("is not a regular file".to_owned());
    }
    let file = std::fs::File::open(path).map_err(unreadable)?;
    if !file.metadata().map_err(unreadable)?.is_file() {
        return Err("is not a regular file".to_owned());
    }
    let mut text = Vec::new();
    file.take(MAX_TABLE_BYTES + 1)
        .read_to_end(&mut text)
        .map_err(unreadable)?;
    if text.len() as u64 > MAX_TABLE_BYTES {
        return Err(format!("is larger than {MAX_TABLE_BYTES} bytes"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_file(region: &str) -> String {
        format!(
            "{}/endpoint-partitions/endpoint-partition-{region}.json",
            env!("CARGO_MANIFEST_DIR")
        )
    }

    fn check_file(path: &str, region: Option<&str>) -> Result<(), String> {
        let path = path.to_owned();
        check(
            |name| (name == PARTITION_FILE_VARIABLE).then(|| path.clone()),
            region,
        )
        .map(|_| ())
        .map_err(|error| error.to_string())
    }

    /// A file in a directory of its own, removed with it.
    struct Written(PathBuf);

    impl Written {
        fn new(name: &str, content: &[u8]) -> Self {
            let directory = std::env::temp_dir().join(format!(
                "idp-gateway-partitions-{}-{name}",
                std::process::id()
            ));
            std::fs::create_dir_all(&directory).expect("a temporary directory");
            let path = directory.join("table.json");
            std::fs::write(&path, content).expect("a temporary file");
            Self(path)
        }

        fn path(&self) -> String {
            self.0.to_string_lossy().into_owned()
        }
    }

    impl Drop for Written {
        fn drop(&mut self) {
            if let Some(directory) = self.0.parent() {
                let _ = std::fs::remove_dir_all(directory);
            }
        }
    }

    #[test]
    fn unset_is_the_sdks_own_table_for_any_region() {
        let table = check(|_| None, None).expect("nothing to check");
        assert!(table.admits(Some("eu-west-1")).is_ok() && table.admits(None).is_ok());
    }

    #[test]
    fn a_checked_table_admits_only_a_configuration_of_its_region() {
        let path = shipped_file("us-east-1");
        let table = check(
            |name| (name == PARTITION_FILE_VARIABLE).then(|| path.clone()),
            Some("us-east-1"),
        )
        .expect("the shipped table");
        assert!(table.admits(Some("us-east-1")).is_ok());
        let error = table.admits(Some("eu-west-1")).unwrap_err().to_string();
        assert!(
            error.contains("checked for region \"us-east-1\", but the AWS configuration's region is Some(\"eu-west-1\")"),
            "{error}"
        );
        assert!(table.admits(None).is_err());
    }

    #[test]
    fn every_shipped_table_is_accepted_for_its_region() {
        let regions: Vec<&str> = shipped_regions().collect();
        assert!(regions.contains(&"us-east-1") && regions.contains(&"us-gov-west-1"));
        for region in regions {
            assert_eq!(check_file(&shipped_file(region), Some(region)), Ok(()));
        }
    }

    #[test]
    fn the_table_of_another_region_is_refused() {
        let error = check_file(&shipped_file("us-east-1"), Some("eu-west-1")).unwrap_err();
        assert!(
            error.contains("is not the endpoint table this build ships for region \"eu-west-1\""),
            "{error}"
        );
    }

    #[test]
    fn a_region_without_a_shipped_table_or_no_region_is_refused() {
        let error = check_file(&shipped_file("us-east-1"), Some("us-east-9")).unwrap_err();
        assert!(
            error.contains("ships no endpoint table for region \"us-east-9\""),
            "{error}"
        );
        let error = check_file(&shipped_file("us-east-1"), None).unwrap_err();
        assert!(error.contains("no region"), "{error}");
    }

    #[test]
    fn an_empty_missing_or_unreadable_setting_is_refused() {
        let error = check_file("", Some("us-east-1")).unwrap_err();
        assert!(error.contains("set but empty"), "{error}");
        let error = check_file("/nonexistent/partitions.json", Some("us-east-1")).unwrap_err();
        assert!(error.contains("cannot be read"), "{error}");
        let error = check_file(env!("CARGO_MANIFEST_DIR"), Some("us-east-1")).unwrap_err();
        assert!(error.contains("not a regular file"), "{error}");
        let large = Written::new("large", &vec![b' '; MAX_TABLE_BYTES as usize + 1]);
        let error = check_file(&large.path(), Some("us-east-1")).unwrap_err();
        assert!(error.contains("larger than 65536 bytes"), "{error}");
    }

    #[test]
    fn an_edited_table_is_refused() {
        let shipped = std::fs::read_to_string(shipped_file("us-east-1")).expect("the table");
        for (name, edited) in [
            (
                "elsewhere",
                shipped.replace("\"amazonaws.com\"", "\"evil.example\""),
            ),
            (
                "region-override",
                shipped.replace(
                    "\"description\": \"US East (N. Virginia)\"",
                    "\"dnsSuffix\": \"evil.example\"",
                ),
            ),
            ("bad-regex", shipped.replace("\\\\w+", "(")),
            ("reformatted", shipped.replace("  ", " ")),
            ("not-json", "{".to_owned()),
        ] {
            assert_ne!(edited, shipped, "{name}: the test's edit applies");
            let file = Written::new(name, edited.as_bytes());
            let error = check_file(&file.path(), Some("us-east-1")).unwrap_err();
            assert!(
                error.contains("is not the endpoint table"),
                "{name}: {error}"
            );
        }
    }
}
