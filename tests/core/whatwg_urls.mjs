// Generates whatwg_urls.jsonl: how a browser resolves each input against each base (Node's
// WHATWG URL, `new URL(input, base)`, which follows https://url.spec.whatwg.org/ as
// Chromium's url/ parser does). Run once and check the output in; url_test.cpp checks
// resolve_location against it. Each line: [base, input, href or null for a failure].
//   node tests/core/whatwg_urls.mjs > tests/core/whatwg_urls.jsonl
const bases = ['http://www.test:8080/dir/page?x=1', 'https://www.test/dir/page'];
const inputs = [
  // the base's own scheme without "//": relative
  'http:/erin:S@h.test/ok', 'http:erin:S@h.test/ok', 'http:\\evil.test\\ok', 'http:a:b', 'Http:/x',
  'http:?q=1', 'http:', 'https:/u:S@h.test/ok', 'https:h.test/x',
  // ... unless slashes or backslashes start an authority after all
  'http:\\\\evil.test\\ok', 'http:\\/evil.test/ok', 'http:/\\h.test/x', 'https:\\\\h.test\\x',
  // another special scheme: the authority after any number of slashes, none included
  'http://evil.test/ok', 'http:////u:S@h.test/', 'http:///h.test/x', 'https:u2:S@h.test/x',
  'https:/h.test/x', 'https:////h.test/x', 'HTTPS:h.test/x', 'http:h.test:81/x',
  // no scheme: two or more slashes or backslashes start an authority
  '//bob:S@h.test/ok', '///h.test/x', '\\\\h.test\\x', '/\\h.test/x', '\\/h.test/x', '\\x',
  '/x\\y?q=a\\b', 'sub\\next', './a:b', '../up', '?q', 'next',
  // the last '@' ends the userinfo
  'http://u5:SEC@RET@h.test/', '//u:p@a@b@h.test/x', 'https:u:p@q@h.test/', 'http:////u:p@q@h.test/',
  // white space around, tabs and line breaks inside
  '  /x  ', '\t/a\nb\r', '\x01/c\x1f',
  // percent-encoding as the serializer does it: the path, (special-)query and fragment sets
  '/evil"><img src=x onerror=alert(1)>.css', '/in-frame-<b>bold</b>.png', '/\x1b[31mred.png',
  "/a'><svg onload=alert(3)>.png", '/p"q<r>s t`u{v}wy.png?q"<>\'` {}|^x#f"<>` {}|^',
  '/\u00e9.png?\u00e9=\u00e9&e=\u20ac', '/\u202egnp.exe', '/%zz%41.png?%zz%2', 'ctl\x01\x7f.png?a=\x01b\x7f',
  'next page.html?a b', '//h.test/a b?c d#e f', 'http://h.test/x<y>?"q"#"f"', '?q="x"\'y\'', '#frag"<>`',
  '/[x]/@:;=+$,!*()~_-.?[q]@:;/=+$,!*()~', "https://h.test/%E2%82%AC/\u20ac?\u20ac#\u20ac",
];
// Chromium percent-encodes '|' and '^' in a path too (Node 20 does not): url_test.cpp
// checks that case against what Chromium requested, not this table.
const out = [];
for (const base of bases) {
  for (const input of inputs) {
    let href = null;
    try { href = new URL(input, base).href; } catch { href = null; }
    out.push(JSON.stringify([base, input, href]));
  }
}
console.log(out.join('\n'));
