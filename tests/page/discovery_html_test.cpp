#include <catch2/catch.hpp>

#include "discovery_support.h"

using namespace pageload;
using namespace pageload::page;
using namespace pageload::page::testing;

TEST_CASE("a linked stylesheet is found in head, resolved against the document") {
  auto refs = discover("<html><head><link rel=stylesheet href=main.css></head><body></body></html>");
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].url == at("/dir/main.css"));
  CHECK(refs[0].type == ResourceType::kStylesheet);
  CHECK(refs[0].found_by == "link rel=stylesheet");
  CHECK(refs[0].in_head);
  CHECK_FALSE(refs[0].lazy);
}

TEST_CASE("a stylesheet whose media does not match, or an alternate one, is fetched lazily as Chromium does") {
  auto refs = discover("<link rel=stylesheet media=print href=/print.css>"
                       "<link rel='alternate stylesheet' title=alt href=/alt.css>"
                       "<link rel=stylesheet media='(min-width: 600px)' href=/wide.css>");
  REQUIRE(refs.size() == 3);
  CHECK(find(refs, at("/print.css"))->lazy);
  CHECK(find(refs, at("/alt.css"))->lazy);
  CHECK(find(refs, at("/alt.css"))->found_by == "link rel=alternate stylesheet");
  CHECK_FALSE(find(refs, at("/wide.css"))->lazy);
}

TEST_CASE("a disabled stylesheet or one of another type is not fetched") {
  auto refs = discover("<link rel=stylesheet disabled href=/d.css><link rel=stylesheet type=text/plain href=/t.css>");
  CHECK(refs.empty());
}

TEST_CASE("preload needs a known as, a supported type and matching media") {
  auto refs = discover("<link rel=preload href=/noas.js>"
                       "<link rel=preload as=font type=font/woff2 href=/f.woff2 crossorigin>"
                       "<link rel=preload as=font type=font/unknown href=/bad.woff2>"
                       "<link rel=preload as=image href=/narrow.png media='(max-width: 600px)'>"
                       "<link rel=preload as=style href=/p.css>"
                       "<link rel=preload as=fetch href=/data.json>"
                       "<link rel=preload as=image href=/fallback.png imagesrcset='/i1.png 1x, /i2.png 2x'>"
                       "<link rel=modulepreload href=/m.js>");
  CHECK(urls(refs) == std::vector<std::string>{at("/f.woff2"), at("/p.css"), at("/data.json"), at("/i1.png"), at("/m.js")});
  CHECK(find(refs, at("/f.woff2"))->type == ResourceType::kFont);
  CHECK(find(refs, at("/f.woff2"))->preload);
  CHECK(find(refs, at("/f.woff2"))->preload_as == "font");
  CHECK(find(refs, at("/data.json"))->type == ResourceType::kOther);
  CHECK(find(refs, at("/m.js"))->module);
  CHECK(find(refs, at("/m.js"))->found_by == "link rel=modulepreload");
}

TEST_CASE("prefetch is fetched at idle priority") {
  auto refs = discover("<link rel=prefetch href=/next.js>");
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].prefetch);
}

TEST_CASE("scripts: classic, async, defer and module are fetched, nomodule and unknown types are not") {
  auto refs = discover("<head><script src=/classic.js></script><script async src=/async.js></script>"
                       "<script defer src=/defer.js></script><script type=module src=/mod.js></script>"
                       "<script nomodule src=/nomodule.js></script><script type=text/template src=/tpl.js></script>"
                       "<script type=importmap src=/map.json></script><script type='text/javascript' src=/typed.js></script>"
                       "<script language=vbscript src=/vb.js></script><script src=''></script></head>");
  CHECK(urls(refs) == std::vector<std::string>{at("/classic.js"), at("/async.js"), at("/defer.js"), at("/mod.js"), at("/typed.js")});
  CHECK(find(refs, at("/classic.js"))->parser_blocking);
  CHECK(find(refs, at("/async.js"))->async);
  CHECK_FALSE(find(refs, at("/async.js"))->parser_blocking);
  CHECK(find(refs, at("/defer.js"))->defer);
  CHECK(find(refs, at("/mod.js"))->module);
  CHECK_FALSE(find(refs, at("/mod.js"))->parser_blocking);
  CHECK(find(refs, at("/defer.js"))->found_by == "script src defer");
}

TEST_CASE("images: src, srcset for a 1280 px viewport, lazy ones skipped, data: and empty src skipped") {
  auto refs = discover("<body><img src=a.png srcset='a-400.png 400w, a-1600.png 1600w'>"
                       "<img src=/lazy.png loading=lazy><img src='data:image/png;base64,AAAA'><img src=''>"
                       "<img srcset='/b1.png 1x, /b2.png 2x'><img src=/plain.png fetchpriority=high></body>");
  CHECK(urls(refs) == std::vector<std::string>{at("/dir/a-1600.png"), at("/b1.png"), at("/plain.png")});
  CHECK(find(refs, at("/dir/a-1600.png"))->found_by == "img srcset");
  CHECK(find(refs, at("/plain.png"))->found_by == "img src");
  CHECK(find(refs, at("/plain.png"))->fetch_priority == "high");
  CHECK_FALSE(find(refs, at("/plain.png"))->in_head);
}

TEST_CASE("picture takes the first source whose type and media match") {
  auto refs = discover("<picture><source srcset=/s.webp type=image/webp media='(max-width: 600px)'>"
                       "<source srcset=/s.avif type=image/avif><source srcset=/s.jxl type=image/jxl>"
                       "<img src=/fallback.png></picture>"
                       "<picture><source srcset=/t.jxl type=image/jxl><img src=/t.png></picture>");
  CHECK(urls(refs) == std::vector<std::string>{at("/s.avif"), at("/t.png")});
  CHECK(refs[0].found_by == "picture source srcset");
}

TEST_CASE("input type=image, video poster, embed, object and svg image are fetched") {
  auto refs = discover("<input type=image src=/in.png><input type=text src=/no.png><video poster=/poster.png></video>"
                       "<embed src=/e.swf><object data=/o.png></object><svg><image href=/svg.png /></svg>"
                       "<table background=/bg.png><tr><td>x</td></tr></table>");
  // An image <object> and a background attribute wait for the element tree (style time).
  CHECK(urls(refs) == std::vector<std::string>{at("/in.png"), at("/poster.png"), at("/e.swf"), at("/svg.png"),
                                               at("/o.png"), at("/bg.png")});
}

// Checked against Chromium 156 (a page with each, priorities from its Network events):
// background="" and image <object>/<embed> are Image Low, fetched after the stylesheet, not
// among the first five images at Medium; an .svg <object> is a document, left as other.
TEST_CASE("background attributes and image objects wait for style and take no image boost") {
  auto refs = discover("<body background=/body.png><table><tr><td background=/td.png>x</td></tr></table>"
                       "<object data=/o.png></object><object data=/typed type='image/png; q=1'></object>"
                       "<embed src=/e.JPG?x=1><object data=/o.svg></object><embed src=/e.swf>"
                       "<object data=/t.png type=text/html></object><img src=/i.png><script src=/s.js></script>");
  auto is = [&](const char* url, ResourceType type, bool at_style) {
    INFO(url);
    const Reference* r = find(refs, at(url));
    REQUIRE(r);
    CHECK(r->type == type);
    CHECK(r->css_rule == at_style);
    CHECK(r->markup_image == (type == ResourceType::kImage && !at_style));
  };
  is("/body.png", ResourceType::kImage, true);
  is("/td.png", ResourceType::kImage, true);
  is("/o.png", ResourceType::kImage, true);
  is("/typed", ResourceType::kImage, true);
  is("/e.JPG?x=1", ResourceType::kImage, true);
  is("/o.svg", ResourceType::kOther, false);
  is("/e.swf", ResourceType::kOther, false);
  is("/t.png", ResourceType::kOther, false);
  is("/i.png", ResourceType::kImage, false);
  // Only the <img> is an image the parser met before the script (Blink's "late" divide).
  const Reference* script = find(refs, at("/s.js"));
  REQUIRE(script);
  CHECK(script->after_image);
  // Not for an element Blink renders no box for (a review: Chromium fetches none of these).
  auto hidden = discover("<div hidden><table background=/h1.png><tr><td>x</td></tr></table>"
                         "<object data=/h2.png></object></div><embed style='display: none' src=/h3.png>"
                         "<noscript><object data=/h4.png></object></noscript><object data=/shown.png></object>"
                         "<object style='DISPLAY: NONE' data=/h5.png></object><embed hidden src=/embed-hidden.png>");
  // The UA stylesheet keeps embed[hidden] displayed (at 0 by 0): Chromium loads it.
  CHECK(urls(hidden) == std::vector<std::string>{at("/shown.png"), at("/embed-hidden.png")});
  auto no_img = discover("<body background=/body.png><object data=/o.png></object><script src=/s.js></script>");
  REQUIRE(find(no_img, at("/s.js")));
  CHECK_FALSE(find(no_img, at("/s.js"))->after_image);
}

TEST_CASE("an iframe is a document reference, srcdoc and lazy iframes are not fetched") {
  auto refs = discover("<iframe src=/frame.html></iframe><iframe srcdoc='<p>x' src=/f2.html></iframe>"
                       "<iframe loading=lazy src=/f3.html></iframe>");
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].type == ResourceType::kDocument);
  CHECK(refs[0].found_by == "iframe src");
}

TEST_CASE("base href changes how later references resolve, only the first counts") {
  auto refs = discover("<head><link rel=stylesheet href=before.css><base href='https://cdn.test/assets/'>"
                       "<base href='https://other.test/'><link rel=stylesheet href=after.css></head>");
  CHECK(urls(refs) == std::vector<std::string>{at("/dir/before.css"), "https://cdn.test/assets/after.css"});
}

TEST_CASE("a javascript: base href is ignored") {
  auto refs = discover("<base href='javascript:alert(1)'><img src=x.png>");
  CHECK(urls(refs) == std::vector<std::string>{at("/dir/x.png")});
}

TEST_CASE("template and noscript contents are not fetched") {
  auto refs = discover("<template><img src=/tpl.png></template><noscript><img src=/ns.png></noscript><img src=/ok.png>");
  CHECK(urls(refs) == std::vector<std::string>{at("/ok.png")});
}

TEST_CASE("only http and https references are fetched, and the rest are counted in a note") {
  DocumentDiscovery d(kPage, no_favicon());
  auto refs = d.feed("<img src='file:///etc/passwd'><img src='javascript:alert(1)'><img src='ftp://x.test/a.png'>"
                     "<img src='http://plain.test/a.png'><img src='//proto.test/rel.png'>");
  CHECK(d.finish().empty());
  CHECK(urls(refs) == std::vector<std::string>{"http://plain.test/a.png", "https://proto.test/rel.png"});
  auto notes = d.notes();
  REQUIRE_FALSE(notes.empty());
  CHECK(notes.back().find("file: 1") != std::string::npos);
  CHECK(notes.back().find("javascript: 1") != std::string::npos);
}

TEST_CASE("each URL is returned once, fragments and white space aside") {
  auto refs = discover("<img src='/a.png'><img src=' /a.png#x '><img src='/a.png#y'><link rel=preload as=image href=/a.png>"
                       "<img src='/b\n.png'>");
  CHECK(urls(refs) == std::vector<std::string>{at("/a.png"), at("/b.png")});
}

TEST_CASE("without a link rel=icon the browser's /favicon.ico is reported as a browser fetch") {
  auto refs = discover("<p>x", Limits{});
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].url == at("/favicon.ico"));
  CHECK(refs[0].browser_fetch);
  auto with_icon = discover("<link rel=icon href=/i.png>", Limits{});
  CHECK(urls(with_icon) == std::vector<std::string>{at("/i.png")});
  CHECK_FALSE(with_icon[0].browser_fetch);
}

TEST_CASE("a parser-blocking script after an image says so") {
  auto refs = discover("<body><img src=/a.png><script src=/late.js></script></body>");
  CHECK(find(refs, at("/late.js"))->after_image);
}

TEST_CASE("a link rel=preload as=image does not make what follows it late, as Chromium keeps its priority") {
  // Found by the browser comparison: a stylesheet and a modulepreload after such a preload
  // were lowered to medium, where Chromium fetches them at VeryHigh and High.
  auto refs = discover("<head><link rel=preload as=image href=/p.png><link rel=stylesheet href=/s.css>"
                       "<link rel=modulepreload href=/m.mjs><script src=/head.js></script></head>");
  CHECK_FALSE(find(refs, at("/s.css"))->after_image);
  CHECK_FALSE(find(refs, at("/m.mjs"))->after_image);
  CHECK_FALSE(find(refs, at("/head.js"))->after_image);
}

TEST_CASE("a stylesheet named early is found before the document has finished arriving") {
  DocumentDiscovery d(kPage, no_favicon());
  auto early = d.feed("<!doctype html><html><head><link rel=stylesheet href=/early.css><script src=/blocking.js></script>");
  CHECK(urls(early) == std::vector<std::string>{at("/early.css"), at("/blocking.js")});
  CHECK_FALSE(d.body_started());
  std::string rest = "</head><body>" + std::string(5000, ' ') + "<img src=/late.png></body></html>";
  auto later = d.feed(rest);
  CHECK(urls(later) == std::vector<std::string>{at("/late.png")});
  CHECK(d.body_started());
  CHECK(d.finish().empty());
}

TEST_CASE("a tag cut off at the end of the bytes so far is not reported until it is complete") {
  DocumentDiscovery d(kPage, no_favicon());
  CHECK(d.feed("<html><head><link rel=stylesheet href=/whole.css><link rel=stylesheet href=/cut").size() == 1);
  auto rest = d.feed(std::string(".css>") + std::string(5000, ' '));
  CHECK(urls(rest) == std::vector<std::string>{at("/cut.css")});
}

TEST_CASE("small chunks are not parsed again until enough has arrived, and finish() catches up") {
  DocumentDiscovery d(kPage, no_favicon());
  CHECK(d.feed("<p>").empty());
  CHECK(d.feed("<img src=/a.png>").empty());  // 19 bytes since the last parse: wait
  auto rest = d.finish();
  CHECK(urls(rest) == std::vector<std::string>{at("/a.png")});
}

TEST_CASE("the body counts as reached when content opens it, even without a body tag") {
  DocumentDiscovery head_only(kPage, no_favicon());
  head_only.feed("<!doctype html><html><head><title>x</title><link rel=stylesheet href=/a.css>");
  CHECK_FALSE(head_only.body_started());
  DocumentDiscovery implied(kPage, no_favicon());
  implied.feed("<title>x</title><p>hello");
  CHECK(implied.body_started());
}

TEST_CASE("images the markup names are marked for Blink's boost, small ones by their width and height") {
  auto refs = discover(
      "<html><head><link rel=preload as=image href=/pre.png><link rel=icon href=/icon.png>"
      "<style>body { background: url(/bg.png) }</style></head><body>"
      "<img src=/big.png><img src=/tiny.png width=64 height=64><img src=/wide.png width=200 height=60>"
      "<img src=/zero.png width=0><img src=/pct.png width='50%' height=' 300px'>"
      "<input type=image src=/button.png width=10 height=10></body></html>");
  auto is = [&](const char* url, bool markup, bool small) {
    INFO(url);
    const Reference* r = find(refs, at(url));
    REQUIRE(r);
    CHECK(r->markup_image == markup);
    CHECK(r->small_image == small);
  };
  is("/big.png", true, false);      // no dimensions: not small
  is("/tiny.png", true, true);      // 4,096 px²
  is("/wide.png", true, false);     // 200 x 60 = 12,000 px², over 10,000
  is("/zero.png", true, true);      // a zero width
  is("/pct.png", true, false);      // 50 x 300
  is("/button.png", true, true);
  is("/pre.png", false, false);     // a preload is not boosted
  is("/bg.png", false, false);      // CSS
}

// gumbo turned control characters into U+FFFD, so pageload asked for "/%EF%BF%BD[31mred.png"
// where Chromium asks for "/%1B[31mred.png"; and '"', '<', '>' went raw on the request line.
TEST_CASE("control characters and markup in a reference are percent-encoded as Chromium sends them") {
  auto refs = discover("<link rel=stylesheet href='/evil&quot;&gt;&lt;img src=x&gt;.css'>"
                       "<img src='/\x1b[31mred.png'><img src='/c1\xc2\x85.png?\x01z'>"
                       "<style>p { background: url('/bg\x1b.png') }</style><p>x</p>");
  CHECK(urls(refs) == std::vector<std::string>{at("/evil%22%3E%3Cimg%20src=x%3E.css"), at("/%1B[31mred.png"),
                                               at("/c1%C2%85.png?%01z"), at("/bg%1B.png")});
}

// Chromium fetches <audio src> and <video src> (and the first <source>) unless
// preload=none; pageload fetched only a video's poster (review of issue 9, A8).
TEST_CASE("audio and video sources are fetched as media unless preload is none") {
  auto refs = discover("<audio src=/a-default.mp3></audio><audio src=/a-none.mp3 preload=none></audio>"
                       "<audio src=/a-meta.mp3 preload=metadata></audio>"
                       "<audio preload=auto><source src=/a-source.mp3 type=audio/mpeg><source src=/a-second.ogg></audio>"
                       "<video src=/v-default.mp4 poster=/poster.png></video><video src=/v-none.mp4 preload=none></video>"
                       "<video><source src=/v-source.mp4></video><audio src=/a-autoplay.mp3 autoplay preload=none></audio>");
  CHECK(urls(refs) == std::vector<std::string>{at("/a-default.mp3"), at("/a-meta.mp3"), at("/a-source.mp3"),
                                               at("/poster.png"), at("/v-default.mp4"), at("/v-source.mp4")});
  REQUIRE(find(refs, at("/a-default.mp3")));
  CHECK(find(refs, at("/a-default.mp3"))->type == ResourceType::kMedia);
  CHECK(find(refs, at("/a-source.mp3"))->found_by == "audio source src");
}

// Chromium loads an <iframe srcdoc> document's subresources (its initiator: about:srcdoc);
// pageload skipped the srcdoc altogether.
TEST_CASE("an iframe srcdoc document's subresources are found, its stylesheet matched against its own elements") {
  DocumentDiscovery d(kPage, no_favicon());
  auto refs = d.feed("<p class=outer>x</p><iframe srcdoc=\"<link rel=stylesheet href=/srcdoc.css>"
                     "<p class=inner>y</p><img src=rel.png><iframe srcdoc='<img src=/nested.png>'></iframe>\" "
                     "src=/not-loaded.html></iframe>");
  auto rest = d.finish();
  refs.insert(refs.end(), rest.begin(), rest.end());
  CHECK(urls(refs) == std::vector<std::string>{at("/srcdoc.css"), at("/dir/rel.png"), at("/nested.png")});
  CHECK(find(refs, at("/dir/rel.png"))->found_by == "iframe srcdoc: img src");
  CHECK(find(refs, at("/nested.png"))->found_by == "iframe srcdoc: img src");
  auto sheet = d.stylesheet(at("/srcdoc.css"), ".inner { background: url(/inner.png) } .outer { background: url(/outer.png) }");
  CHECK(urls(sheet) == std::vector<std::string>{at("/inner.png")});
  CHECK(sheet[0].found_by == "iframe srcdoc: css url() for .inner");
}

// Chromium's favicon handler tried every <link rel=icon>; pageload fetched the first alone.
// Each case is what headless Chromium fetched for these links to real PNGs of those sizes.
TEST_CASE("the icons fetched are the ones Chromium's favicon handler downloads") {
  auto icons = [](const std::string& links) {
    std::vector<std::string> out;
    for (const auto& r : discover("<head>" + links + "</head><body>x"))
      if (r.found_by == "link rel=icon") out.push_back(r.url.substr(r.url.rfind('/') + 1));
    std::sort(out.begin(), out.end());
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(icons("<link rel=icon href=/a16.png><link rel=icon href=/a32.png sizes=32x32>") == V{"a16.png", "a32.png"});
  CHECK(icons("<link rel=icon href=/b16.png sizes=16x16><link rel=icon href=/b32.png sizes=32x32>"
              "<link rel=icon href=/b192.png sizes=192x192>") == V{"b32.png"});
  CHECK(icons("<link rel=icon href=/c32.png sizes=32x32><link rel=icon href=/c16.png sizes=16x16>") == V{"c32.png"});
  CHECK(icons("<link rel=icon href=/f32.png sizes=32x32><link rel=icon href=/f192.png sizes=192x192>") == V{"f32.png"});
  CHECK(icons("<link rel=icon href=/g16.png sizes=16x16><link rel=icon href=/g192.png sizes=192x192>") == V{"g16.png"});
  CHECK(icons("<link rel=icon href=/a48.png sizes=48x48><link rel=icon href=/b48.png sizes='48x48 32X32'>"
              "<link rel=apple-touch-icon href=/c48.png>") == V{"b48.png"});
  CHECK(icons("<link rel=icon href=/k1.png><link rel='shortcut icon' href=/k4.png><link rel=apple-touch-icon href=/k3.png>") ==
        V{"k1.png", "k4.png"});
}

TEST_CASE("crossorigin and module scripts make CORS requests without credentials across origins, as Chromium") {
  // HTML's CORS settings attribute: missing is no CORS (a module script's default is
  // anonymous), "use-credentials" keeps credentials, anything else is anonymous.
  auto refs = discover("<link rel=stylesheet href=/plain.css>"
                       "<link rel=stylesheet href=/anon.css crossorigin>"
                       "<link rel=preload as=font type=font/woff2 href=/preloaded.woff2 crossorigin=anonymous>"
                       "<link rel=preload as=font type=font/woff2 href=/no-cors.woff2>"
                       "<link rel=modulepreload href=/m.js>"
                       "<script type=module src=/module.js></script>"
                       "<script type=module src=/credentialed.js crossorigin=use-credentials></script>"
                       "<script src=/classic.js></script>"
                       "<script src=/classic-anon.js crossorigin=bogus></script>"
                       "<img src=/plain.png><img src=/anon.png crossorigin=''>"
                       "<img src=/creds.png crossorigin=USE-CREDENTIALS>"
                       "<video poster=/poster.png crossorigin preload=none></video>");
  for (const char* path : {"/anon.css", "/preloaded.woff2", "/m.js", "/module.js", "/classic-anon.js", "/anon.png",
                           "/poster.png"}) {
    INFO(path);
    REQUIRE(find(refs, at(path)));
    CHECK(find(refs, at(path))->cors_anonymous);
  }
  for (const char* path : {"/plain.css", "/no-cors.woff2", "/credentialed.js", "/classic.js", "/plain.png", "/creds.png"}) {
    INFO(path);
    REQUIRE(find(refs, at(path)));
    CHECK_FALSE(find(refs, at(path))->cors_anonymous);
  }
}

TEST_CASE("an @font-face font is always a CORS request without credentials across origins") {
  DocumentDiscovery d(kPage, no_favicon());
  d.feed("<link rel=stylesheet href=/f.css><p class=f>text</p>");
  d.finish();
  auto refs = d.stylesheet(at("/f.css"), "@font-face{font-family:F;src:url(//fonts.test/f.woff2)} .f{font-family:F}");
  REQUIRE(find(refs, "https://fonts.test/f.woff2"));
  CHECK(find(refs, "https://fonts.test/f.woff2")->type == ResourceType::kFont);
  CHECK(find(refs, "https://fonts.test/f.woff2")->cors_anonymous);
}

TEST_CASE("a Link header's preload, modulepreload and prefetch are fetched but not its stylesheet or preconnect") {
  DocumentDiscovery d(kPage, no_favicon());
  auto refs = d.link_header(
      "</css/early.css>; rel=preload; as=style, <hero.png>; rel=\"preload\"; as=\"image\"; fetchpriority=high, "
      "<https://cdn.test/font.woff2>; rel=preload; as=font; crossorigin, </js/mod.js>; rel=modulepreload, "
      "</next.html>; rel=prefetch, </css/applied.css>; rel=stylesheet, <https://cdn.test>; rel=preconnect, "
      "</bad-as.js>; rel=preload; as=nonsense, <//x.test/q\"x>; rel=preload; as=image");
  REQUIRE(refs.size() == 6);
  CHECK(refs[0].url == at("/css/early.css"));
  CHECK(refs[0].type == ResourceType::kStylesheet);
  CHECK(refs[0].preload);
  CHECK(refs[0].found_by == "Link header rel=preload as=style");
  CHECK(refs[1].url == at("/dir/hero.png"));  // against the response's URL
  CHECK(refs[1].type == ResourceType::kImage);
  CHECK(refs[1].fetch_priority == "high");
  CHECK(refs[2].url == "https://cdn.test/font.woff2");
  CHECK(refs[2].type == ResourceType::kFont);
  CHECK(refs[2].cors_anonymous);
  CHECK(refs[3].url == at("/js/mod.js"));
  CHECK(refs[3].module);
  CHECK(refs[3].preload);
  CHECK(refs[3].cors_anonymous);
  CHECK(refs[4].url == at("/next.html"));
  CHECK(refs[4].prefetch);
  CHECK(refs[5].url == "https://x.test/q%22x");
  // The document naming one of them again makes no second reference.
  auto more = d.feed("<html><head><link rel=preload as=style href=/css/early.css></head><body>");
  CHECK(find(more, at("/css/early.css")) == nullptr);
}

TEST_CASE("a Link header that does not parse names nothing and stops nothing after it") {
  DocumentDiscovery d(kPage, no_favicon());
  auto refs = d.link_header("garbage; rel=preload; as=image, </x.png> rel=preload, </ok.png>; rel=preload; as=image");
  REQUIRE(refs.size() == 1);
  CHECK(refs[0].url == at("/ok.png"));
}
