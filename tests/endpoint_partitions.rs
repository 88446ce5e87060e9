//! The one-region endpoint tables of `endpoint-partitions/` (template.yaml names the function's own
//! region's in `SMITHY_CLIENT_SDK_CUSTOM_PARTITION`) resolve every client's endpoints exactly as the
//! SDK's compiled-in table of all partitions does: for the region each file lists, for WorkMail,
//! WorkSpaces Web, DynamoDB and STS (which aws-config's credential chain may build), with and without
//! FIPS and dual-stack (and DynamoDB's account-id endpoints). Each SDK crate reads the variable once per process, so this test runs itself again as
//! two child processes per file, one with the file and one without, and compares what they print.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use aws_sdk_dynamodb::config::endpoint::ResolveEndpoint as _;
use aws_sdk_sts::config::endpoint::ResolveEndpoint as _;
use aws_sdk_workmail::config::endpoint::ResolveEndpoint as _;
use aws_sdk_workspacesweb::config::endpoint::ResolveEndpoint as _;
use idp_gateway::startup::endpoint_partitions::{PARTITION_FILE_VARIABLE, shipped_regions};

const REGIONS: &str = "IDP_GATEWAY_TEST_PARTITION_REGIONS";
const CHILD: &str = "endpoints_as_this_process_resolves_them";

fn tables() -> Vec<PathBuf> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("endpoint-partitions");
    let mut tables: Vec<PathBuf> = std::fs::read_dir(&directory)
        .expect("endpoint-partitions/")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    tables.sort();
    tables
}

fn regions_of(table: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(table).expect("a table");
    let document: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let partitions = document["partitions"].as_array().expect("partitions");
    assert_eq!(partitions.len(), 1, "{}: one partition", table.display());
    let regions: Vec<String> = partitions[0]["regions"]
        .as_object()
        .expect("regions")
        .keys()
        .cloned()
        .collect();
    let name = format!("endpoint-partition-{}.json", regions.join(","));
    assert_eq!(
        table.file_name(),
        Some(name.as_ref()),
        "one region, the file's"
    );
    regions
}

/// What a child process printed: one line per resolution.
fn resolutions(table: Option<&Path>, regions: &[String]) -> Vec<String> {
    let mut child = Command::new(std::env::current_exe().expect("this test binary"));
    child
        .args([
            "--ignored",
            "--exact",
            CHILD,
            "--nocapture",
            "--test-threads=1",
        ])
        .env(REGIONS, regions.join(","))
        .env_remove(PARTITION_FILE_VARIABLE);
    if let Some(table) = table {
        child.env(PARTITION_FILE_VARIABLE, table);
    }
    let output = child.output().expect("the child test runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child {table:?}: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .filter_map(|line| line.strip_prefix("resolved "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_region_file_resolves_as_the_sdks_own_table() {
    let tables = tables();
    let regions: Vec<String> = tables.iter().flat_map(|table| regions_of(table)).collect();
    let shipped: Vec<String> = shipped_regions().map(str::to_owned).collect();
    assert_eq!(
        regions, shipped,
        "the files are the tables the functions compile in"
    );
    assert!(shipped.len() >= 40, "one file per region: {shipped:?}");
    for table in &tables {
        let regions = regions_of(table);
        assert!(!regions.is_empty(), "{}: no regions", table.display());
        let narrowed = resolutions(Some(table), &regions);
        let default = resolutions(None, &regions);
        // WorkMail, WorkSpaces Web, DynamoDB without and with an account id, and the credential
        // chain's STS, each with and without FIPS and dual-stack.
        assert_eq!(default.len(), regions.len() * 20, "{}", table.display());
        assert_eq!(narrowed, default, "{}", table.display());
    }
    let aws = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("endpoint-partitions/endpoint-partition-us-east-1.json");
    let aws = resolutions(Some(&aws), &["us-east-1".to_owned()]);
    assert!(
        aws.contains(&"workmail us-east-1 fips=false dualstack=false -> https://workmail.us-east-1.amazonaws.com".to_owned()),
        "{aws:#?}"
    );
}

/// One SDK crate's default endpoint for `(region, FIPS, dual-stack)`, or its error, as printed.
macro_rules! resolved {
    ($sdk:ident, $parameters:expr) => {{
        let (region, fips, dual_stack) = $parameters;
        let params = $sdk::config::endpoint::Params::builder()
            .region(region)
            .use_fips(fips)
            .use_dual_stack(dual_stack)
            .build()
            .expect("parameters");
        let endpoint = $sdk::config::endpoint::DefaultResolver::new()
            .resolve_endpoint(&params)
            .await;
        shown(endpoint.map(|e| e.url().to_owned()))
    }};
}

/// Run by the test above, in a child process: prints every resolution for the regions it is given.
#[tokio::test]
#[ignore = "run by every_region_file_resolves_as_the_sdks_own_table in a child process"]
async fn endpoints_as_this_process_resolves_them() {
    // Run by itself (--ignored), it has nothing to resolve; the test above counts what it prints.
    let Ok(regions) = std::env::var(REGIONS) else {
        return;
    };
    let mut lines = BTreeMap::new();
    for region in regions.split(',') {
        for (fips, dual_stack) in [(false, false), (true, false), (false, true), (true, true)] {
            let key =
                |client: &str| format!("{client} {region} fips={fips} dualstack={dual_stack}");
            let parameters = (region, fips, dual_stack);
            lines.insert(key("workmail"), resolved!(aws_sdk_workmail, parameters));
            lines.insert(
                key("workspaces-web"),
                resolved!(aws_sdk_workspacesweb, parameters),
            );
            lines.insert(key("sts"), resolved!(aws_sdk_sts, parameters));
            lines.insert(key("dynamodb"), resolved!(aws_sdk_dynamodb, parameters));
            let params = aws_sdk_dynamodb::config::endpoint::Params::builder()
                .region(region)
                .use_fips(fips)
                .use_dual_stack(dual_stack)
                .account_id("123456789012")
                .account_id_endpoint_mode("preferred")
                .build()
                .expect("parameters");
            let endpoint = aws_sdk_dynamodb::config::endpoint::DefaultResolver::new()
                .resolve_endpoint(&params)
                .await;
            lines.insert(
                key("dynamodb (account id)"),
                shown(endpoint.map(|e| e.url().to_owned())),
            );
        }
    }
    // libtest's "test ... " has no line end before a test's own output.
    println!();
    for (key, value) in lines {
        println!("resolved {key} -> {value}");
    }
}

fn shown(endpoint: Result<String, Box<dyn std::error::Error + Send + Sync>>) -> String {
    endpoint.unwrap_or_else(|error| format!("error: {error}"))
}
