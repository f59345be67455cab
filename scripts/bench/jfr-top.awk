#!/usr/bin/awk -f
# Reads `jfr print --events E --stack-depth 1 FILE` and prints the `top` (default 10) most frequent
# top-of-stack frames with their share of the events, or, with -v weight=1, of the events' weight
# (jdk.ObjectAllocationSample: bytes allocated). Events of JFR's own threads are left out.
function bytes(v, unit) {
  if (unit ~ /^kB/) return v * 1024
  if (unit ~ /^MB/) return v * 1024 * 1024
  if (unit ~ /^GB/) return v * 1024 * 1024 * 1024
  return v
}
/^jdk\./ { w = 1; own = 0 }
/[tT]hread = "JFR / { own = 1 }
weight && /^[ \t]*weight = / { w = bytes($3, $4) }
/stackTrace = \[/ { grab = 1; next }
grab && own { grab = 0; next }
grab {
  f = $0
  sub(/^[ \t]+/, "", f)
  sub(/[ \t]+line:.*$/, "", f)
  if (f == "]" || f == "...") f = "(no Java frame)"
  n[f] += w
  total += w
  grab = 0
}
END {
  if (top == "") top = 10
  if (total == 0) { print "  (no events recorded)"; exit }
  if (weight) printf "  allocation by top frame (%.0f MB sampled in all):\n", total / 1048576
  else printf "  CPU by top frame (%d execution samples):\n", total
  for (k = 0; k < top; k++) {
    best = ""
    for (f in n) if (best == "" || n[f] > n[best]) best = f
    if (best == "") break
    printf "  %5.1f%%  %s\n", 100 * n[best] / total, best
    delete n[best]
  }
}
