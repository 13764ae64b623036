#!/usr/bin/env python3
"""Checks the declared rust-version against what this machine can check.

Only one Rust toolchain exists on CI machines, so the build itself cannot prove an older
compiler works. What is checked instead, and fails CI when broken:
  1. every crate the workspace builds with (normal and build dependencies, all features)
     declares a rust-version no newer than ours: a dependency that needs a newer compiler
     would break users on our declared version;
  2. (in .ci/run) clippy's `incompatible_msrv` lint, which reads rust-version and rejects
     standard-library APIs stabilised after it, runs with -D warnings.
Language features newer than the declared version are not detected by either.

Optional features may need a newer compiler than the crate, as their dependencies do
(polars needs 1.95): FEATURE_MSRV lists them, the README says so, and what only those
features bring in is checked against their version instead. Likewise a workspace crate
whose own dependencies need a newer compiler (rayforce-datafusion: DataFusion 55 needs 1.94)
declares that version (MEMBER_MSRV) and what only it brings in is checked against it.
"""
import json
import subprocess
import sys


def version(text):
    return tuple(int(p) for p in text.split("."))[:3] + (0,) * (3 - len(text.split(".")))


meta = json.loads(subprocess.check_output(
    ["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"]))
packages = {p["id"]: p for p in meta["packages"]}
members = set(meta["workspace_members"])
# Workspace crates that need a newer compiler than the core crate, because of their own
# dependencies (crate → its declared rust-version).
MEMBER_MSRV = {"rayforce-datafusion": "1.94"}
special = {m for m in members if packages[m]["name"] in MEMBER_MSRV}
for m in special:
    name = packages[m]["name"]
    if packages[m]["rust_version"] != MEMBER_MSRV[name]:
        sys.exit(f"check-msrv: {name} must declare rust-version {MEMBER_MSRV[name]}")
ours = {packages[m]["name"]: packages[m]["rust_version"] for m in members - special}
declared = set(ours.values())
if len(declared) != 1 or None in declared:
    sys.exit(f"check-msrv: the workspace crates must declare one rust-version: {ours}")
msrv = version(declared.pop())

# Dependencies of optional features that need a newer compiler (feature → its version).
FEATURE_MSRV = {"polars": {"crates": {"polars", "polars-arrow"}, "rust": "1.95"}}

nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}


def reachable(roots, stop=frozenset()):
    seen, stack = set(), list(roots)
    while stack:
        pid = stack.pop()
        if pid in seen or packages[pid]["name"] in stop:
            continue
        seen.add(pid)
        for dep in nodes[pid]["deps"]:
            kinds = {k["kind"] for k in dep["dep_kinds"]}
            if kinds & {None, "build"}:
                stack.append(dep["pkg"])
    return seen


feature_crates = set().union(*(f["crates"] for f in FEATURE_MSRV.values()))
seen = reachable(members - special, stop=feature_crates)
checks = [(seen - members, msrv, "our rust-version")]
for m in special:
    name = packages[m]["name"]
    only_member = reachable([m], stop=feature_crates) - seen - members
    checks.append((only_member, version(MEMBER_MSRV[name]), f"{name}'s rust {MEMBER_MSRV[name]}"))
for name, feature in FEATURE_MSRV.items():
    roots = [pid for pid in packages if packages[pid]["name"] in feature["crates"]]
    only_feature = reachable(roots) - seen
    checks.append((only_feature, version(feature["rust"]), f"feature {name}'s rust {feature['rust']}"))

too_new = []
for pids, limit, what in checks:
    for pid in sorted(pids, key=lambda p: packages[p]["name"]):
        p = packages[pid]
        if p["rust_version"] and version(p["rust_version"]) > limit:
            too_new.append(f'{p["name"]} {p["version"]} needs rust {p["rust_version"]} (over {what})')
    print(f"check-msrv: {len(pids)} dependencies checked against {what} "
          f"({'.'.join(map(str, limit[:2]))})")
if too_new:
    sys.exit("check-msrv: dependencies newer than allowed:\n  " + "\n  ".join(too_new))
