// Runs a fuzz target without libFuzzer: structured-random inputs for a fixed number of iterations (a smoke
// run that every CI build executes). Build with -Dfuzz=true and clang for real coverage-guided fuzzing.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
    const long iterations = argc > 1 ? std::atol(argv[1]) : 20000;
    std::mt19937 rng(12345);
    // Fragments that make random inputs look like the protocol more often than pure noise would.
    const std::vector<std::string> pieces = {
        R"({"type":"announce","networkName":"n","data":{"peerId":"x","a":[1,{}]}})",
        R"({"type":"offer","targetPeerId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","data":{"sdp":"v"}})",
        R"({"type":"goodbye"})", R"({"type":"ping"})", R"({"type":"announce","networkName":"m","maxPeers":1})",
        "\x81\x85\x01\x02\x03\x04", "\x88\x82\x00\x00\x00\x00\x03\xe8", "\x01\x80", "\x80\x83\x00\x00\x00\x00",
        "{\"type\":", "\"\\u00e9\"", "null", "[", "}", "\xc3\x28"};
    for (long i = 0; i < iterations; ++i) {
        std::string input;
        const int parts = static_cast<int>(rng() % 12);
        for (int p = 0; p < parts; ++p) {
            if (rng() % 3 == 0) {
                std::uint8_t op = static_cast<std::uint8_t>(rng());
                input += static_cast<char>(op);
                const std::string& piece = pieces[rng() % pieces.size()];
                input += static_cast<char>(piece.size());
                input += piece;
            } else {
                const std::size_t n = rng() % 16;
                for (std::size_t k = 0; k < n; ++k) input += static_cast<char>(rng());
            }
        }
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
    }
    std::printf("%ld inputs, no crash\n", iterations);
    return 0;
}
