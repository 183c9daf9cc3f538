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
];
const out = [];
for (const base of bases) {
  for (const input of inputs) {
    let href = null;
    try { href = new URL(input, base).href; } catch { href = null; }
    out.push(JSON.stringify([base, input, href]));
  }
}
console.log(out.join('\n'));
