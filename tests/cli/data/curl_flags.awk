#!/usr/bin/awk -f
# Reads `curl --help all` and prints one option a line: SHORT (or -) LONG TAKES_VALUE (0/1),
# the data curl_flags_test checks pageload's run command against.
/^ *-/ {
  short = "-"; long = ""; value = 0
  for (i = 1; i <= NF; ++i) {
    if ($i ~ /^-[^-],$/) { short = substr($i, 1, 2); continue }
    if ($i ~ /^--/) { long = $i; if ($(i + 1) ~ /^</) value = 1; break }
  }
  if (long != "") print short, long, value
}
