#!/usr/bin/env python3
# Checks the relative links of README.md and docs/*.md (run from the repository root): the file
# exists, and an #anchor is a heading of that file (GitHub's slugs). Prints the broken ones.
import glob, os, re, sys
def slug(h):
    h = re.sub(r"`", "", h.strip().lower())
    h = re.sub(r"[^\w\- ]", "", h)
    return h.replace(" ", "-")
def anchors(path):
    out = set(); seen = {}
    in_code = False
    for line in open(path):
        if line.startswith("```"): in_code = not in_code
        if in_code: continue
        m = re.match(r"^#{1,6} (.*)", line)
        if m:
            s = slug(m.group(1)); n = seen.get(s, 0); seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
    return out
bad = 0; count = 0
for f in ["README.md"] + sorted(glob.glob("docs/*.md")):
    text = open(f).read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target): continue
        count += 1
        path, _, frag = target.partition("#")
        dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        if not os.path.exists(dest):
            print(f"{f}: {target}: no such file"); bad += 1; continue
        if frag and dest.endswith(".md") and frag not in anchors(dest):
            print(f"{f}: {target}: no such anchor"); bad += 1
print(f"{count} relative links, {bad} broken")
sys.exit(1 if bad else 0)
