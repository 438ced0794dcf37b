#include "protocol/json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

using namespace pigeonhub;

TEST(Json, AcceptsValidDocuments) {
    for (std::string_view s : {"{}", "[]", "null", "true", "false", "0", "-0.5e+10", "\"x\"", " { \"a\" : [1, 2, {\"b\": null}] } ",
                               "{\"s\":\"\\u00e9\\n\\\"\"}", "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\""}) {
        EXPECT_TRUE(json::validate(s)) << s;
    }
}

TEST(Json, RejectsInvalidDocuments) {
    for (std::string_view s : {"", "{", "}", "{\"a\"}", "{\"a\":}", "{a:1}", "[1,]", "[1 2]", "01", "1.", "-", "tru", "nul",
                               "\"abc", "\"\\x\"", "\"\\u12\"", "{\"a\":1}x", "\"\x01\"", "\"\xc3\"", "\"\xed\xa0\x80\"",
                               "\"\xc0\xaf\"", "\"\xf5\x80\x80\x80\"", "[1]]", "{\"a\":1,}"}) {
        EXPECT_FALSE(json::validate(s)) << s;
    }
}

TEST(Json, NestingIsBounded) {
    std::string ok(json::kMaxDepth, '['), bad(json::kMaxDepth + 1, '[');
    ok += std::string(json::kMaxDepth, ']');
    bad += std::string(json::kMaxDepth + 1, ']');
    EXPECT_TRUE(json::validate(ok));
    EXPECT_FALSE(json::validate(bad));
    EXPECT_FALSE(json::validate(std::string(1 << 20, '[')));  // deep hostile input, no stack overflow
}

TEST(Json, ValueKindAndRawExtent) {
    json::Value v;
    ASSERT_TRUE(json::validate("  {\"a\":1}  ", &v));
    EXPECT_EQ(v.kind, json::Kind::object);
    EXPECT_EQ(v.raw, "{\"a\":1}");
    ASSERT_TRUE(json::validate("[{}]", &v));
    EXPECT_EQ(v.kind, json::Kind::array);
}

TEST(Json, IteratesMembersWithRawValues) {
    std::string doc = R"({ "a" : 1 , "b":{"c":[1,"}"]}, "d\"e":"x"})";
    ASSERT_TRUE(json::validate(doc));
    std::vector<std::pair<std::string, std::string>> got;
    json::for_each_member(doc, [&](std::string_view k, const json::Value& v) { got.emplace_back(k, v.raw); });
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].first, "\"a\"");
    EXPECT_EQ(got[0].second, "1");
    EXPECT_EQ(got[1].second, R"({"c":[1,"}"]})");
    EXPECT_EQ(got[2].first, R"("d\"e")");
    EXPECT_EQ(got[2].second, "\"x\"");
}

TEST(Json, DecodesEscapesAndSurrogates) {
    std::string out;
    json::decode_string(R"("a\u00e9\ud83d\ude00\n\/")", out);
    EXPECT_EQ(out, "a\xc3\xa9\xf0\x9f\x98\x80\n/");
    json::decode_string(R"("\ud800x")", out);  // lone surrogate
    EXPECT_EQ(out, "\xef\xbf\xbdx");
    EXPECT_TRUE(json::string_equals(R"("peer\u0049d")", "peerId"));
    EXPECT_FALSE(json::string_equals(R"("peerid")", "peerId"));
}

TEST(Json, QuotesForOutput) {
    std::string out;
    json::append_quoted(out, "a\"b\\c\n\x01\xc3\xa9");
    EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
    EXPECT_TRUE(json::validate(out));
}

// The 16- and 8-byte fast paths must agree with the byte-wise rules wherever the special bytes fall, and the
// one-pass member scan must find the same members as the separate one.
TEST(Json, StringRulesHoldAtEveryOffset) {
    struct Variant {
        const char* insert;
        bool valid;
    } variants[] = {{"\\\"", true}, {"\\\\", true}, {"\xc3\xa9", true}, {"\\u0041", true}, {"\xf0\x9f\x98\x80", true},
                    {"\x01", false}, {"\xff", false}, {"\"", false}, {"\\x", false}, {"\xc3", false}};
    for (int len = 0; len < 72; ++len) {
        for (int pos = 0; pos <= len; ++pos) {
            for (const auto& v : variants) {
                for (int second : {-1, 0, 7, 15, 16, 33}) {  // a second, valid special byte further on
                    std::string body(static_cast<std::size_t>(len), 'a');
                    body.insert(static_cast<std::size_t>(pos), v.insert);
                    if (second >= 0 && second <= len) {  // never inside the first insert
                        const std::size_t at = static_cast<std::size_t>(second <= pos ? second : second + static_cast<int>(std::strlen(v.insert)));
                        body.insert(at, "\\n");
                    }
                    std::string doc = "{\"k\":\"" + body + "\",\"z\":1}";
                    std::vector<std::string> members;
                    const bool ok = json::validate_members(doc, nullptr, [&](std::string_view k, const json::Value& val) {
                        members.emplace_back(std::string(k) + "=" + std::string(val.raw));
                    });
                    ASSERT_EQ(ok, v.valid) << doc;
                    ASSERT_EQ(json::validate(doc), v.valid) << doc;
                    if (!v.valid) continue;
                    std::vector<std::string> keys;
                    json::for_each_member(doc, [&](std::string_view k, const json::Value& val) {
                        keys.emplace_back(std::string(k) + "=" + std::string(val.raw));
                    });
                    ASSERT_EQ(keys, (std::vector<std::string>{"\"k\"=\"" + body + "\"", "\"z\"=1"})) << doc;
                    ASSERT_EQ(members, keys) << doc;
                    // Quoting the decoded text and decoding it again gives the same text.
                    std::string decoded, quoted, again;
                    json::decode_string("\"" + body + "\"", decoded);
                    json::append_quoted(quoted, decoded);
                    ASSERT_TRUE(json::validate(quoted)) << quoted;
                    json::decode_string(quoted, again);
                    ASSERT_EQ(again, decoded);
                }
            }
        }
    }
}

TEST(Json, ValidateMembersReportsTopLevelMembersOnly) {
    const std::string doc = R"( {"type":"offer", "data":{"type":"inner","sdp":"v=0\r\n"}, "n":[1,{"x":2}], "e":{}, "t":true} )";
    std::vector<std::pair<std::string, json::Kind>> got;
    json::Value root;
    ASSERT_TRUE(json::validate_members(doc, &root, [&](std::string_view k, const json::Value& v) {
        got.emplace_back(std::string(k) + "=" + std::string(v.raw), v.kind);
    }));
    EXPECT_EQ(root.kind, json::Kind::object);
    const std::vector<std::pair<std::string, json::Kind>> want = {
        {R"("type"="offer")", json::Kind::string},
        {R"("data"={"type":"inner","sdp":"v=0\r\n"})", json::Kind::object},
        {R"("n"=[1,{"x":2}])", json::Kind::array},
        {R"("e"={})", json::Kind::object},
        {R"("t"=true)", json::Kind::boolean_true},
    };
    EXPECT_EQ(got, want);
    // Roots that are not objects report nothing; invalid text fails after reporting what came before.
    int calls = 0;
    auto count = [&](std::string_view, const json::Value&) { ++calls; };
    EXPECT_TRUE(json::validate_members(R"([{"a":1}])", nullptr, count));
    EXPECT_TRUE(json::validate_members(R"("s")", nullptr, count));
    EXPECT_EQ(calls, 0);
    EXPECT_FALSE(json::validate_members(R"({"a":1,"b":})", nullptr, count));
    EXPECT_EQ(calls, 1);
}
