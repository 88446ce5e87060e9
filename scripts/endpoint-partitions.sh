#!/usr/bin/env bash
# Writes endpoint-partitions/endpoint-partition-<region>.json: one file per AWS region, each holding the
# region's partition exactly as the SDK crates this workspace locks compile it in (their
# `endpoint_lib.rs`), with that region alone in its list; and src/startup/endpoint_partitions/shipped.rs,
# which compiles the same files into the functions, whose start-up refuses any other content.
# template.yaml ships the files as a layer and names the function's own region's file in
# SMITHY_CLIENT_SDK_CUSTOM_PARTITION, so that each SDK client parses one partition of one region at a
# cold start instead of all eight partitions (see the README's Benchmarks). Run it after updating the SDK
# crates and commit what it writes; tests/endpoint_partitions.rs checks that every file resolves every
# client's endpoints for its region as the SDK's own table does.
#
#   scripts/endpoint-partitions.sh           # (re)writes the files
#   scripts/endpoint-partitions.sh --check   # fails when the committed files differ from the locked SDK's (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-write}"
case "$mode" in
  write) root=. ;;
  --check) root=$(mktemp -d) ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
metadata=$(mktemp)
trap 'rm -f "$metadata"; [ "$mode" = --check ] && rm -rf "$root"' EXIT
cargo metadata --format-version 1 --locked > "$metadata"
python3 - "$metadata" "$root" <<'PY'
import json, pathlib, re, sys

metadata = json.loads(pathlib.Path(sys.argv[1]).read_text())
root = pathlib.Path(sys.argv[2])
# The functions' three clients, and STS, whose client aws-config's credential chain may build (it reads
# the same variable): every one must compile in the same table the files are cut from.
crates = ["aws-sdk-workmail", "aws-sdk-workspacesweb", "aws-sdk-dynamodb", "aws-sdk-sts"]
tables = {}
for package in metadata["packages"]:
    if package["name"] in crates:
        source = pathlib.Path(package["manifest_path"]).parent / "src" / "endpoint_lib.rs"
        literal = re.search(r'new_from_json\(b"(.*?)"\)\.expect', source.read_text(), re.S).group(1)
        tables[package["name"]] = json.loads(literal.encode().decode("unicode_escape"))
if sorted(tables) != sorted(crates):
    sys.exit(f"expected the tables of {crates}, found {sorted(tables)}")
table = tables[crates[0]]
if any(other != table for other in tables.values()):
    sys.exit("the SDK crates compile in different partition tables: update them to one release")
out = root / "endpoint-partitions"
out.mkdir(parents=True, exist_ok=True)
for stale in out.glob("endpoint-partition-*.json"):
    stale.unlink()
regions = []
for partition in table["partitions"]:
    # Regions a function can run in: the partition's own pattern's (not aws-global and the like).
    pattern = re.compile(partition["regionRegex"])
    for region, overrides in sorted(partition["regions"].items()):
        if not pattern.fullmatch(region):
            continue
        narrowed = dict(partition, regions={region: overrides})
        document = {"partitions": [narrowed], "version": table["version"]}
        (out / f"endpoint-partition-{region}.json").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
        regions.append(region)
regions.sort()
shipped = root / "src" / "startup" / "endpoint_partitions" / "shipped.rs"
shipped.parent.mkdir(parents=True, exist_ok=True)
shipped.write_text(
    "//! The endpoint tables of `endpoint-partitions/`, one a region, as this build ships them (written by\n"
    "//! scripts/endpoint-partitions.sh from the locked SDK crates; not to be edited by hand).\n\n"
    "pub(super) const SHIPPED: &[(&str, &[u8])] = &[\n"
    + "".join(
        f'    (\n        "{region}",\n        include_bytes!("../../../endpoint-partitions/endpoint-partition-{region}.json"),\n    ),\n'
        for region in regions
    )
    + "];\n"
)
print(f"{out}: {len(regions)} regions of {len(table['partitions'])} partitions")
PY
if [ "$mode" = --check ]; then
  diff -r "$root/endpoint-partitions" endpoint-partitions
  diff "$root/src/startup/endpoint_partitions/shipped.rs" src/startup/endpoint_partitions/shipped.rs
  echo "endpoint-partitions/ and shipped.rs are what the locked SDK crates give"
fi
