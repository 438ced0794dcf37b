// Runs a fuzz target without libFuzzer (the CI smoke run; build with -Dfuzz=true and clang for coverage-guided
// fuzzing, tools/fuzz-long.sh):
//   <target>_smoke [ITERATIONS [CORPUS_DIR]]
// replays every file of CORPUS_DIR (the target's seeds, tests/fuzz/corpus/<target>/), then runs ITERATIONS inputs:
// two in three are a seed mutated (bytes flipped, inserted, erased, a piece of another seed or of the protocol
// spliced in, truncated), the others structured-random bytes. Deterministic (fixed random seed).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

// Fragments that make random inputs look like the protocol more often than pure noise would.
const std::vector<std::string> kPieces = {
    R"({"type":"announce","networkName":"n","data":{"peerId":"x","a":[1,{}]}})",
    R"({"type":"offer","targetPeerId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","data":{"sdp":"v"}})",
    R"({"type":"goodbye"})", R"({"type":"ping"})", R"({"type":"announce","networkName":"m","maxPeers":1})",
    "\x81\x85\x01\x02\x03\x04", "\x88\x82\x00\x00\x00\x00\x03\xe8", "\x01\x80", "\x80\x83\x00\x00\x00\x00",
    "{\"type\":", "\"\\u00e9\"", "\\ud800", "null", "[", "}", "\xc3\x28", "9007199254740993", "-0", "1e999", "%",
    "%zz", "%00", "\r\n", "0\r\n\r\n"};

void run(const std::string& input) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

std::string random_input(std::mt19937& rng) {
    std::string input;
    const int parts = static_cast<int>(rng() % 12);
    for (int p = 0; p < parts; ++p) {
        if (rng() % 3 == 0) {
            input += static_cast<char>(rng());
            const std::string& piece = kPieces[rng() % kPieces.size()];
            input += static_cast<char>(piece.size());
            input += piece;
        } else {
            const std::size_t n = rng() % 16;
            for (std::size_t k = 0; k < n; ++k) input += static_cast<char>(rng());
        }
    }
    return input;
}

std::string mutate(std::string s, const std::vector<std::string>& seeds, std::mt19937& rng) {
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < edits; ++i) {
        const std::size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
        switch (rng() % 6) {
        case 0:
            if (at < s.size()) s[at] = static_cast<char>(s[at] ^ (1u << (rng() % 8)));
            break;
        case 1: s.insert(at, 1, static_cast<char>(rng())); break;
        case 2: s.erase(at, 1 + rng() % 8); break;
        case 3: s.insert(at, kPieces[rng() % kPieces.size()]); break;
        case 4: {
            const std::string& other = seeds[rng() % seeds.size()];
            if (other.empty()) break;
            const std::size_t from = rng() % other.size();
            s.insert(at, other.substr(from, 1 + rng() % 32));
            break;
        }
        default: s.resize(at); break;
        }
    }
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    const long iterations = argc > 1 ? std::atol(argv[1]) : 20000;
    std::vector<std::string> seeds;
    if (argc > 2) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(argv[2], ec)) {
            std::ifstream f(entry.path(), std::ios::binary);
            seeds.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
        }
        if (ec) {
            std::fprintf(stderr, "%s: %s\n", argv[2], ec.message().c_str());
            return 2;
        }
    }
    for (const auto& s : seeds) run(s);
    std::mt19937 rng(12345);
    for (long i = 0; i < iterations; ++i) {
        if (!seeds.empty() && rng() % 3 != 0) run(mutate(seeds[rng() % seeds.size()], seeds, rng));
        else run(random_input(rng));
    }
    std::printf("%zu seeds and %ld inputs, no crash\n", seeds.size(), iterations);
    return 0;
}
