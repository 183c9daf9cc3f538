#include <catch2/catch.hpp>

#include "core/redact.h"
#include <nlohmann/json.hpp>

#include "pageload/options.h"

using namespace pageload;

TEST_CASE("secret headers are recognised whatever their case") {
  CHECK(is_secret_header("Authorization"));
  CHECK(is_secret_header("proxy-authorization"));
  CHECK(is_secret_header("COOKIE"));
  CHECK(is_secret_header("Set-Cookie"));
  CHECK_FALSE(is_secret_header("Content-Type"));
}

TEST_CASE("redaction keeps the auth scheme and cookie names but not the secrets") {
  CHECK(redact_value("Authorization", "Bearer abc.def") == "Bearer [redacted]");
  CHECK(redact_value("Authorization", "abc") == "[redacted]");
  CHECK(redact_value("Cookie", "a=1; b=2") == "a=[redacted]; b=[redacted]");
  CHECK(redact_value("Set-Cookie", "id=s3cr3t; Path=/; HttpOnly") == "id=[redacted]; Path=/; HttpOnly");
  CHECK(redact_value("Accept", "text/html") == "text/html");
}

TEST_CASE("redact_headers leaves no secret value behind") {
  std::vector<Header> h{{"Cookie", "sid=topsecret"}, {"X-Other", "topsecret"}};
  redact_headers(h);
  CHECK(h[0].second.find("topsecret") == std::string::npos);
  CHECK(h[1].second == "topsecret");
}

// A password in the URL was stored, printed and drawn as typed.
TEST_CASE("a URL's password is redacted and its user name kept") {
  CHECK(redact_url("http://user:PASSW0RD@a.test:8080/x?y=1") == "http://user:[redacted]@a.test:8080/x?y=1");
  CHECK(redact_url("https://u:p@ss:w@a.test/") == "https://u:[redacted]@a.test/");
  CHECK(redact_url("https://:secret@a.test") == "https://:[redacted]@a.test");
  CHECK(redact_url("https://token@a.test/") == "https://token@a.test/");
  CHECK(redact_url("https://a.test/path?email=a:b@c.test") == "https://a.test/path?email=a:b@c.test");
  CHECK(redact_url("https://a.test:8443/#x@y") == "https://a.test:8443/#x@y");
  CHECK(redact_url("") == "");
}

// "http:/erin:SECRET@host/ok" against an http: base is a path on the base's host, as
// browsers read it (WHATWG URL): the next hop's URL was "http://base/erin:SECRET@host/ok",
// the password in clear in a path segment where redaction did not look.
TEST_CASE("a password in a path segment, where a one-slash Location ends up, is redacted") {
  CHECK(redact_url("http://www.test:8080/erin:SECRET@host:8080/ok") == "http://www.test:8080/erin:[redacted]@host:8080/ok");
  CHECK(redact_url("/relative:x@y") == "/relative:[redacted]@y");
  CHECK(redact_text("redirect loop: http://b/u:p@ss@h/x was already requested") ==
        "redirect loop: http://b/u:[redacted]@h/x was already requested");
  CHECK(redact_url("http://host/a@b/c") == "http://host/a@b/c");  // a user name alone
}

// A password in a scheme-relative, single-slash, backslashed or unparsable Location was
// stored and shown in clear: redact_url only knew "scheme://".
TEST_CASE("a password is redacted in URL-like text that a parser would not accept") {
  CHECK(redact_url("//bob:SECRET@host/ok") == "//bob:[redacted]@host/ok");
  CHECK(redact_url("http:/erin:SECRET@host/ok") == "http:/erin:[redacted]@host/ok");
  CHECK(redact_url("http:erin:SECRET@host/ok") == "http:erin:[redacted]@host/ok");
  CHECK(redact_url("http://mo:SECRET@host:99999/ok") == "http://mo:[redacted]@host:99999/ok");
  CHECK(redact_url("http://g:SECRET@[::bad/ok") == "http://g:[redacted]@[::bad/ok");
  CHECK(redact_url("http:\\\\ann:SECRET@host\\ok") == "http:\\\\ann:[redacted]@host\\ok");
  CHECK(redact_url("HTTPS:///x:SECRET@host") == "HTTPS:///x:[redacted]@host");
  CHECK(redact_url("ftp://u:SECRET@host/") == "ftp://u:[redacted]@host/");
  CHECK(redact_url("http://u:pa ss@host/") == "http://u:[redacted]@host/");  // one URL: spaces are in it
  CHECK(redact_url("/ok?next=http://u:SECRET@x.test/") == "/ok?next=http://u:[redacted]@x.test/");
  CHECK(redact_url("/ok?next=//u:SECRET@x.test/") == "/ok?next=//u:[redacted]@x.test/");
  CHECK(redact_url("http://u:SECRET@a.test/?b=http://v:TOO@b.test") ==
        "http://u:[redacted]@a.test/?b=http://v:[redacted]@b.test");
}

TEST_CASE("redacting leaves what is not a password alone and is stable") {
  for (const char* s : {"mailto:user@example.test", "bob:SECRET@host", "user@host", "http://host:80/a@b",
                        "https://a.test/?q=a:b@c", "no url here: a@b", "//host/path",
                        "http://host:8080"}) {
    INFO(s);
    CHECK(redact_url(s) == s);
    CHECK(redact_text(s) == s);
  }
  for (const char* s : {"http://u:p@h/ and //v:q@i/", "a:b:c@d", "http:/x:y@z", "//a:b@c@d:e@f/"}) {
    INFO(s);
    CHECK(redact_url(redact_url(s)) == redact_url(s));
    CHECK(redact_text(redact_text(s)) == redact_text(s));
  }
}

// Found by fuzz_response_text: a quoted password with a space in it, once replaced, let
// an earlier URL-like part reach a further '@', so a second redaction changed the text.
TEST_CASE("redacting free text again changes nothing, also after a password with a space") {
  const std::string in = "tp://u'Xi:Se: kd=ti:: @arse+:p.@eastt#e0";
  const std::string once = redact_text(in);
  CHECK(once == "tp://u'Xi:[redacted]@eastt#e0");
  CHECK(redact_text(once) == once);
}

TEST_CASE("in free text a password is redacted in every URL, quoted or not") {
  CHECK(redact_text("unparsable Location 'http://mo:SECRET@h:99999/ok': Port number was not a decimal") ==
        "unparsable Location 'http://mo:[redacted]@h:99999/ok': Port number was not a decimal");
  CHECK(redact_text("bad URL 'http://u:pa ss@h/x': Malformed input") ==
        "bad URL 'http://u:[redacted]@h/x': Malformed input");
  CHECK(redact_text("loop: //a:b@c was requested, see user@host") == "loop: //a:[redacted]@c was requested, see user@host");
  CHECK(redact_text("redirect to http:\\\\x:SECRET@y and on") == "redirect to http:\\\\x:[redacted]@y and on");
}

TEST_CASE("a run's every URL, header, message and warning is redacted, and secret headers too") {
  Run run;
  run.url = "http://u:S1@a.test/";
  run.final_url = "http://u:S2@a.test/";
  run.label = "//l:S3@x";
  run.failure = Failure{Code::kBadRedirect, "unparsable Location 'http://g:S4@[::bad/ok': bad"};
  Request r;
  r.url = run.url;
  r.location = "//bob:S5@b.test/";
  r.redirect_url = "http://bob:S5@b.test/";
  r.reason = "Found http://r:S6@x";
  r.request_headers = {{"Authorization", "Basic S7"}, {"Referer", "http://ref:S8@a.test/"}};
  r.response_headers = {{"Location", "//bob:S5@b.test/"}, {"Set-Cookie", "id=S9; Path=/"}, {"Link", "<http://k:S10@l/>"}};
  r.warnings = {"redirect downgrades https to http: http://w:S11@x/"};
  r.failure = run.failure;
  r.phases.push_back(PhaseRecord{Phase::kConnect, {}, Failure{Code::kConnectError, "to //c:S12@d failed"}});
  run.requests.push_back(r);
  Connection c;
  c.attempts.push_back(ConnectAttempt{"127.0.0.1", 80, 4, "proxy http://p:S13@q/ refused"});
  run.connections.push_back(c);
  DnsLookup d;
  d.failure = Failure{Code::kDnsError, "//d:S14@e"};
  run.dns_lookups.push_back(d);

  redact_run(run);
  const auto leaks = [](const std::string& s) { return s.find(":S") != std::string::npos || s.find("S7") != std::string::npos || s.find("S9") != std::string::npos; };
  CHECK_FALSE(leaks(run.url));
  CHECK_FALSE(leaks(run.final_url));
  CHECK_FALSE(leaks(run.label));
  CHECK_FALSE(leaks(run.failure->message));
  const Request& q = run.requests[0];
  for (const std::string* s : std::vector<const std::string*>{&q.url, &q.location, &q.redirect_url, &q.reason, &q.warnings[0], &q.failure->message,
                               &q.phases[0].failure->message, &run.connections[0].attempts[0].error,
                               &run.dns_lookups[0].failure->message}) {
    INFO(*s);
    CHECK_FALSE(leaks(*s));
  }
  for (const auto& [name, value] : q.request_headers) CHECK_FALSE(leaks(value));
  for (const auto& [name, value] : q.response_headers) CHECK_FALSE(leaks(value));
  CHECK(q.location == "//bob:[redacted]@b.test/");
  CHECK(q.request_headers[0].second == "Basic [redacted]");
}

TEST_CASE("the run's options hold -U and -x passwords redacted, and every --connect-to entry as given") {
  LoadOptions o;
  o.proxy = "http://lab:s3cret-x@127.0.0.1:3128";
  o.proxy_user = "lab:s3cret-u:more";
  o.connect_to.push_back(ConnectToEntry{"a.test", 443, "b.test", 8443, "a.test:443:b.test:8443"});
  auto j = nlohmann::json::parse(options_to_json(o));
  CHECK(j["proxy"] == "http://lab:[redacted]@127.0.0.1:3128");
  CHECK(j["proxy_user"] == "lab:[redacted]");
  CHECK(j["connect_to"] == nlohmann::json::array({"a.test:443:b.test:8443"}));
  CHECK(options_to_json(o).find("s3cret") == std::string::npos);
  o.keep_secrets = true;
  auto kept = nlohmann::json::parse(options_to_json(o));
  CHECK(kept["proxy_user"] == "lab:s3cret-u:more");
  CHECK(kept["proxy"] == "http://lab:s3cret-x@127.0.0.1:3128");
}

// "header needs 'Name: value': -H '@hdrs.txt'" came out as "header needs 'Name:[redacted]@hdrs.txt'":
// the quoted "Name:" was read as a scheme whose userinfo ran to the '@' (review of issue 11, #18).
TEST_CASE("in free text a word and a colon before a space is prose, not a scheme with a password") {
  const std::string message = "header needs 'Name: value': -H '@hdrs.txt'";
  CHECK(redact_text(message) == message);
  CHECK(redact_text("proxy 'http://u:SECRET@h/': refused") == "proxy 'http://u:[redacted]@h/': refused");
  CHECK(redact_text("note: 'mail:u:SECRET@h'") == "note: 'mail:u:[redacted]@h'");
}
