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
ours = {packages[m]["name"]: packages[m]["rust_version"] for m in members}
declared = set(ours.values())
if len(declared) != 1 or None in declared:
    sys.exit(f"check-msrv: the workspace crates must declare one rust-version: {ours}")
msrv = version(declared.pop())

nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
seen, stack = set(), list(members)
while stack:
    pid = stack.pop()
    if pid in seen:
        continue
    seen.add(pid)
    for dep in nodes[pid]["deps"]:
        kinds = {k["kind"] for k in dep["dep_kinds"]}
        if kinds & {None, "build"}:
            stack.append(dep["pkg"])

too_new = []
for pid in sorted(seen - members, key=lambda p: packages[p]["name"]):
    p = packages[pid]
    if p["rust_version"] and version(p["rust_version"]) > msrv:
        too_new.append(f'{p["name"]} {p["version"]} needs rust {p["rust_version"]}')
print(f"check-msrv: {len(seen - members)} dependencies checked against rust-version "
      f"{'.'.join(map(str, msrv[:2]))}")
if too_new:
    sys.exit("check-msrv: dependencies newer than our rust-version:\n  " + "\n  ".join(too_new))
