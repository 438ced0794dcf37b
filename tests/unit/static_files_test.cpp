#include "api/static_files.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace pigeonhub {
namespace {

const StaticFile kFiles[] = {
    {"a.js", "text/javascript; charset=utf-8", "export {};\n", R"("0123")"},
    {"index.html", "text/html; charset=utf-8", "<!doctype html>", R"("abcd")"},
    {"pigeonhub/index.js", "text/javascript; charset=utf-8", "export * from './src/x.js';", R"("ef01")"},
};
const StaticFileSet kSet{kFiles, 3};

std::string header(const HttpReply& r, std::string_view name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "(absent)";
}

TEST(StaticFiles, FindsOnlyTheNamesInTheSet) {
    EXPECT_EQ(kSet.find("a.js"), &kFiles[0]);
    EXPECT_EQ(kSet.find("pigeonhub/index.js"), &kFiles[2]);
    for (const char* name : {"", "b.js", "pigeonhub", "pigeonhub/", "../a.js", "./a.js", "A.js", "a.js/", "%2e%2e/a.js"})
        EXPECT_EQ(kSet.find(name), nullptr) << name;
}

TEST(StaticFiles, AnswersAFileWithItsTypeAndValidators) {
    HttpReply r = static_file_reply(kSet, "a.js", "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
    EXPECT_EQ(r.body, "export {};\n");
    EXPECT_EQ(header(r, "ETag"), R"("0123")");
    EXPECT_EQ(header(r, "Cache-Control"), "no-cache");
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(header(r, "Content-Security-Policy"), "(absent)");  // scripts are not documents
}

TEST(StaticFiles, TheEmptyNameIsTheIndexPageWithAPolicy) {
    HttpReply r = static_file_reply(kSet, "", "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<!doctype html>");
    const std::string csp = header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("connect-src 'self' ws: wss:"), std::string::npos) << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
}

TEST(StaticFiles, IfNoneMatchGetsNotModifiedOnlyForThisFile) {
    for (const char* inm : {R"("0123")", R"(W/"0123")", R"("zz", "0123")", R"(  "x" ,W/"0123"  )", "*"}) {
        HttpReply r = static_file_reply(kSet, "a.js", inm);
        EXPECT_EQ(r.status, 304) << inm;
        EXPECT_TRUE(r.body.empty());
        EXPECT_EQ(header(r, "ETag"), R"("0123")");
    }
    for (const char* inm : {R"("abcd")", R"("012")", "0123", R"("0123)", ","}) {
        EXPECT_EQ(static_file_reply(kSet, "a.js", inm).status, 200) << inm;
    }
}

TEST(StaticFiles, UnknownNamesAre404) {
    HttpReply r = static_file_reply(kSet, "../../etc/passwd", "");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(header(r, "ETag"), "(absent)");
}

TEST(StaticFiles, TheMountRedirectsRelativelyAndKeepsTheQuery) {
    HttpReply r = mount_redirect("/demo", "room=x&hubs=ws://h:1");
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(header(r, "Location"), "demo/?room=x&hubs=ws://h:1");
    EXPECT_EQ(header(mount_redirect("/demo", ""), "Location"), "demo/");
}

TEST(StaticFiles, TheDemoSetIsSortedAndHoldsThePageAndTheClient) {
    ASSERT_GT(demo_files.count, 0u);
    EXPECT_TRUE(std::is_sorted(demo_files.files, demo_files.files + demo_files.count,
                               [](const StaticFile& a, const StaticFile& b) { return a.path < b.path; }));
    for (const char* name : {"index.html", "demo.js", "peer-link.js", "demo.css", "favicon.svg", "pigeonhub/index.js",
                             "pigeonhub/src/signaling-client.js"}) {
        const StaticFile* f = demo_files.find(name);
        ASSERT_NE(f, nullptr) << name;
        EXPECT_FALSE(f->body.empty()) << name;
        EXPECT_EQ(f->etag.size(), 34u) << name;
    }
}

// meson.build lists the client's modules one by one: a module added to clients/js/src/ and not there would be 404
// to the demo page.
TEST(StaticFiles, TheDemoSetHoldsEveryModuleOfTheClient) {
    int modules = 0;
    for (const auto& entry : std::filesystem::directory_iterator(PIGEONHUB_SOURCE_ROOT "/clients/js/src")) {
        if (entry.path().extension() != ".js") continue;
        ++modules;
        EXPECT_NE(demo_files.find("pigeonhub/src/" + entry.path().filename().string()), nullptr)
            << entry.path() << " is not in meson.build's demo_files";
    }
    EXPECT_GT(modules, 10);
}

}  // namespace
}  // namespace pigeonhub
