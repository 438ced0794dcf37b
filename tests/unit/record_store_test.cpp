// RecordStore: one record per publisher and topic, replaced by a higher seq, expired in time, bounded; and its file.
#include "data/record_store.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "data/store_file.h"

using namespace pigeonhub::data;
using Put = RecordStore::Put;

namespace {

Record rec(std::string topic, char publisher, std::uint64_t seq, std::uint64_t expires, std::string data = "1",
           std::uint64_t published = 0) {
    Record r;
    r.topic = std::move(topic);
    r.public_key = std::string(64, publisher);
    r.seq = seq;
    r.expires = expires;
    r.published = published ? published : seq;
    r.data = std::move(data);
    return r;
}

}  // namespace

TEST(RecordStore, OnePerPublisherNewestFirst) {
    RecordStore s;
    EXPECT_EQ(s.put(rec("t", 'a', 5, 1000), 0, true), Put::stored);
    EXPECT_EQ(s.put(rec("t", 'b', 7, 1000), 0, true), Put::stored);
    EXPECT_EQ(s.put(rec("t", 'a', 4, 1000, "old"), 0, true), Put::stale);
    EXPECT_EQ(s.put(rec("t", 'a', 5, 1000, "same seq"), 0, true), Put::stale);
    EXPECT_EQ(s.put(rec("t", 'a', 9, 1000, "new"), 0, true), Put::replaced);
    auto found = s.find("t", 0);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].data, "new");
    EXPECT_EQ(found[1].public_key, std::string(64, 'b'));
    EXPECT_TRUE(s.find("other", 0).empty());
    EXPECT_EQ(s.size(), 2u);
}

TEST(RecordStore, Expiry) {
    RecordStore s;
    EXPECT_EQ(s.put(rec("t", 'a', 1, 100), 100, true), Put::expired);
    s.put(rec("t", 'a', 1, 200), 0, true);
    s.put(rec("t", 'b', 1, 300), 0, true);
    s.put(rec("t", 'b', 2, 250), 0, true);  // replaced by one that expires sooner
    EXPECT_EQ(s.find("t", 199).size(), 2u);
    EXPECT_EQ(s.find("t", 200).size(), 1u) << "an expired record is never returned, even before expire() runs";
    EXPECT_EQ(s.expire(249), 1u);
    EXPECT_EQ(s.expire(250), 1u);
    EXPECT_EQ(s.size(), 0u);
    EXPECT_EQ(s.bytes(), 0u);
    EXPECT_EQ(s.topics(), 0u);
}

TEST(RecordStore, BoundsRefuseNewcomers) {
    RecordStore s(RecordStore::Limits{2, 10000});
    s.put(rec("t", 'a', 1, 1000), 0, true);
    s.put(rec("t", 'b', 1, 1000), 0, true);
    EXPECT_EQ(s.put(rec("t", 'c', 1, 1000), 0, true), Put::topic_full);
    EXPECT_EQ(s.put(rec("t", 'a', 2, 1000), 0, true), Put::replaced) << "a publisher already held moves on";
    RecordStore small(RecordStore::Limits{64, 2 * RecordStore::cost(rec("t", 'a', 1, 1000))});
    small.put(rec("t", 'a', 1, 1000), 0, true);
    small.put(rec("u", 'a', 1, 1000), 0, true);
    EXPECT_EQ(small.put(rec("v", 'a', 1, 1000), 0, true), Put::store_full);
    EXPECT_EQ(small.put(rec("t", 'a', 2, 1000, std::string(500, '1')), 0, true), Put::store_full) << "growing too";
}

TEST(RecordStore, UnsentUntilMarked) {
    RecordStore s;
    s.put(rec("t", 'a', 1, 1000), 0, false);
    s.put(rec("t", 'b', 1, 1000), 0, true);
    ASSERT_EQ(s.unsent(10).size(), 1u);
    EXPECT_EQ(s.unsent_count(), 1u);
    s.mark_in_dht("t", std::string(64, 'a'), 0);  // another seq: not this record
    EXPECT_EQ(s.unsent_count(), 1u);
    s.mark_in_dht("t", std::string(64, 'a'), 1);
    EXPECT_EQ(s.unsent_count(), 0u);
    s.put(rec("t", 'a', 2, 1000), 0, false);
    EXPECT_EQ(s.unsent_count(), 1u) << "a new edit is unsent again";
    s.expire(1000);
    EXPECT_EQ(s.unsent_count(), 0u);
}

TEST(StoreFile, RoundTripAndCorruptLines) {
    const std::string path = ::testing::TempDir() + "/pigeonhub-store-test.jsonl";
    auto key = Ed25519Key::from_seed({});
    RecordStore s;
    Record a = rec("t", 'a', 1, 10'000'000'000'000, R"({"x":[1,"two"]})", 5);
    sign(a, key);
    Record b = rec("u v", 'a', 2, 10'000'000'000'000, "\"text\"", 6);
    sign(b, key);
    s.put(a, 0, true);
    s.put(b, 0, true);
    ASSERT_EQ(save_store(path, s), "");
    RecordStore loaded;
    auto report = load_store(path, loaded, 0);
    EXPECT_EQ(report.loaded, 2u);
    EXPECT_EQ(report.skipped, 0u);
    EXPECT_EQ(loaded.unsent_count(), 2u) << "loaded records are put into the DHT again";
    ASSERT_EQ(loaded.find("u v", 0).size(), 1u);
    EXPECT_EQ(loaded.find("u v", 0)[0].published, 6u);

    // A tampered line and a truncated one are skipped; the rest loads.
    std::ifstream in(path);
    std::string header, line1, line2;
    std::getline(in, header);
    std::getline(in, line1);
    std::getline(in, line2);
    in.close();
    std::string tampered = line1;
    tampered.replace(tampered.find("\"topic\":\"") + 9, 1, "X");
    std::ofstream(path) << header << "\n" << tampered << "\n" << line2 << "\n" << line1.substr(0, 30);
    RecordStore partial;
    report = load_store(path, partial, 0);
    EXPECT_EQ(report.loaded, 1u);
    EXPECT_EQ(report.skipped, 2u);
    ASSERT_EQ(report.problems.size(), 2u);
    EXPECT_NE(report.problems[0].find("line 2"), std::string::npos) << report.problems[0];

    std::ofstream(path) << "not a store\n";
    RecordStore none;
    report = load_store(path, none, 0);
    EXPECT_EQ(report.loaded, 0u);
    EXPECT_EQ(report.skipped, 1u);
    // Expired records are not loaded (and not an error).
    s.expire(10'000'000'000'000);
    std::remove(path.c_str());
    RecordStore missing;
    EXPECT_EQ(load_store(path, missing, 0).skipped, 0u) << "no file yet: nothing to report";
}
