#!/bin/bash
# The documentation holds together: every relative link of README.md and docs/*.md reaches a
# file and a heading, every docs/ page the man pages and the sources name exists, and nothing
# points outside the repository (the shared directory beside it).
. "$(dirname "$0")/../lib/common.sh"
cd "$NVD_ROOT" || exit 1
out=$(python3 tests/lib/check_links.py 2>&1)
t_eq "README.md and docs/*.md: every relative link resolves" 0 "$?"
grep -v ' 0 broken$' <<<"$out" | sed 's/^/# /'
for page in $(grep -rhoE 'docs/[a-z-]+\.md' src man README.md docs tests bench mk Makefile packaging | sort -u); do
  t_check "$page (named somewhere) exists" test -e "$page"
done
t_eq "nothing outside src/ names the shared directory beside the repository" "" \
  "$(grep -rln --exclude-dir=fakes '\.\./shar[e]d' README.md docs man mk Makefile packaging bench tests demo contrib completions .ci)"
t_finish
