#!/usr/bin/env bash
# PDF reports (analytics exports) are drawn by WeasyPrint, which needs Pango (text layout) and a CJK font
# found by family name ("Noto Sans CJK SC", Debian's fonts-noto-cjk: never a font file in the repo); the
# tests read the PDFs back with poppler's pdftotext. Install what is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
missing=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || missing+=(libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so' || missing+=(libharfbuzz-subset0)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if ! command -v fc-list >/dev/null || [ -z "$(fc-list 'Noto Sans CJK SC' 2>/dev/null)" ]; then
  missing+=(fonts-noto-cjk fontconfig)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian's ${missing[*]} for the PDF reports"
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
