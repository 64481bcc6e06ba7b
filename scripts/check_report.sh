#!/usr/bin/env bash
# Renders a report in headless Chromium, saves a full-page screenshot, and fails when a figure is
# broken: an <img> that does not decode (or a truncated PNG), an <svg> with nothing drawn, or anything the
# page tried to load from outside the file (the report must open offline).
# Usage: scripts/check_report.sh REPORT.html OUT.png
# Exit status: 0 all figures fine, 1 broken figures (listed on stderr), 2 bad usage or no browser.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 REPORT.html OUT.png" >&2
  exit 2
fi
report=$(realpath "$1")
out=$2
[ -f "$report" ] || { echo "check_report: $1: no such file" >&2; exit 2; }
browser=${CHROMIUM:-/usr/bin/chromium}
[ -x "$browser" ] || { echo "check_report: $browser not found (set CHROMIUM or install chromium)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$work/profile")

# A copy of the report with a probe appended: after the load event it writes its verdict into the
# DOM, which --dump-dom prints. (Content after </html> is parsed into <body>, so appending is enough.)
cp "$report" "$work/probe.html"
cat >> "$work/probe.html" <<'PROBE'
<script>
window.addEventListener('load', () => {
  // Synchronous on purpose: the verdict must be in the DOM when --dump-dom prints it.
  const problems = [];
  const images = [...document.images];
  images.forEach((img, i) => {
    const name = img.alt || ('image ' + (i + 1));
    if (!img.src.startsWith('data:')) problems.push('image not embedded: ' + img.src.slice(0, 80));
    if (!img.complete || img.naturalWidth === 0) problems.push('broken image: ' + name);
    // A PNG must end with its IEND chunk: Chromium draws a truncated PNG partly, without an error.
    if (img.src.startsWith('data:image/png;base64,')) {
      const bytes = atob(img.src.slice('data:image/png;base64,'.length));
      if (bytes.slice(-8, -4) !== 'IEND') problems.push('truncated PNG: ' + name);
    }
  });
  const svgs = [...document.querySelectorAll('svg')];
  svgs.forEach((svg, i) => {
    const title = (svg.querySelector('title') || {}).textContent || ('svg ' + (i + 1));
    const drawn = [...svg.children].filter(e => e.tagName !== 'title').length;
    const box = svg.getBoundingClientRect();
    if (drawn === 0 || box.width === 0 || box.height === 0) problems.push('empty svg: ' + title);
  });
  performance.getEntriesByType('resource').forEach(r => {
    if (!r.name.startsWith('data:')) problems.push('external request: ' + r.name.slice(0, 80));
  });
  document.querySelectorAll('link[href], script[src], iframe, object, embed').forEach(e =>
      problems.push('external reference: <' + e.tagName.toLowerCase() + '>'));
  const verdict = document.createElement('pre');
  verdict.id = 'report-check';
  verdict.textContent = 'REPORT-CHECK images=' + images.length + ' svgs=' + svgs.length +
      ' height=' + document.documentElement.scrollHeight + ' problems=' + problems.length + '\n' + problems.join('\n');
  document.body.appendChild(verdict);
});
</script>
PROBE

"$browser" "${flags[@]}" --virtual-time-budget=10000 --window-size=1400,900 --dump-dom "file://$work/probe.html" > "$work/dom.html" 2> "$work/browser.log" || {
  echo "check_report: chromium failed:" >&2
  tail -5 "$work/browser.log" >&2
  exit 2
}
verdict=$(sed -n '/<pre id="report-check">/,/<\/pre>/p' "$work/dom.html" | sed 's/<\/pre>.*//; s/.*<pre id="report-check">//')
if [ -z "$verdict" ]; then
  echo "check_report: the page never finished loading (no verdict in the DOM)" >&2
  exit 1
fi
summary=$(head -1 <<< "$verdict")
height=$(sed 's/.*height=\([0-9]*\).*/\1/' <<< "$summary")
problems=$(sed 's/.*problems=\([0-9]*\).*/\1/' <<< "$summary")

# The screenshot: the whole page at 1400 px wide (capped at 16000 px tall), of the report itself.
height=$(( height < 16000 ? height : 16000 ))
"$browser" "${flags[@]}" --virtual-time-budget=10000 --window-size=1400,"$height" --screenshot="$work/shot.png" \
  "file://$report" 2>> "$work/browser.log" > /dev/null
[ -s "$work/shot.png" ] || { echo "check_report: no screenshot was written" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
mv "$work/shot.png" "$out"

echo "check_report: $(sed "s/^REPORT-CHECK //" <<< "$summary"); screenshot $out"
if [ "$problems" != "0" ]; then
  tail -n +2 <<< "$verdict" | sed 's/^/check_report: /' >&2
  exit 1
fi
