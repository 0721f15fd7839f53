#!/usr/bin/env python3
"""Checks every quoted #include in agent/, ipc/ and collector/ against the layering table in
docs/design-notes.md: includes are rooted at the repository, name a file that exists, and go
only to a folder the including folder may use. The table is the one source; this reads it."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
notes = (root / "docs/design-notes.md").read_text()

# | `folder/` | may include |, folders named below collector/. A rule lists folders (`kpi/`) or
# single headers (`expose/self_metrics.h`), or says "everything" or "everything but `x/`".
def under_collector(name):
    return name if name.startswith(("ipc/", "agentmetrics/")) else "collector/" + name


allowed = {}
for folder, rule in re.findall(r"^\| `([a-z/]+)/` \| (.+?) \|$", notes, re.M):
    names = [under_collector(n).rstrip("/") for n in re.findall(r"`([^`]+)`", rule)]
    if rule.startswith("everything but"):
        allowed["collector/" + folder] = ("all but", set(names))
    elif rule.startswith("everything"):
        allowed["collector/" + folder] = ("all but", set())
    elif rule.startswith("nothing"):
        allowed["collector/" + folder] = ("only", set())
    else:
        allowed["collector/" + folder] = ("only", set(names))
if not allowed:
    sys.exit("check_layering: no layering table found in docs/design-notes.md")

# Below collector/: ipc/ uses only itself; agent/ itself, ipc/ and the installed API it
# implements; ipc/ is the bottom layer every folder of collector/ may use.
allowed["ipc"] = ("only", set())
allowed["agent"] = ("only", {"ipc", "agentmetrics"})
for folder, (kind, names) in allowed.items():
    if folder.startswith("collector/") and kind == "only":
        names.add("ipc")
folders = sorted(allowed, key=len, reverse=True)


def folder_of(path):
    for f in folders + ["agentmetrics"]:
        if path == f or path.startswith(f + "/"):
            return f
    return None


def may_include(src, target_folder, target_path):
    kind, names = allowed[src]
    if target_folder == src:
        return True
    if kind == "all but":
        return target_folder not in names
    return target_folder in names or target_path in names


problems = []
for path in sorted(root.glob("*/**/*")):
    rel = path.relative_to(root).as_posix()
    if path.suffix not in (".h", ".hpp", ".c", ".cpp") or not rel.startswith(("agent/", "ipc/", "collector/")):
        continue
    src = folder_of(path.parent.relative_to(root).as_posix())
    if src is None:
        problems.append(f"{rel}: its folder is not in the layering table of docs/design-notes.md")
        continue
    for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
        if not m:
            continue
        inc = m.group(1)
        if inc.startswith("agentmetrics/"):
            target, exists = "agentmetrics", (root / "agent/include" / inc).exists()
        else:
            target, exists = folder_of(str(pathlib.PurePosixPath(inc).parent)), (root / inc).exists()
        where = f"{rel}:{n}: #include \"{inc}\""
        if "/" not in inc or not exists:
            problems.append(f"{where} is not rooted at the repository (no such file {inc})")
        elif target is None or not may_include(src, target, inc):
            problems.append(f"{where}: {src}/ may not include {target or inc}")

for p in problems:
    print(p)
print(f"check_layering: {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
