// pigeonhub-bench-membership: what mesh membership (MESH_TRUST=ca, issue 10) costs a hub in CPU, per record.
//
// Makes a mesh CA and `hubs` member identities in a temporary directory (as --mesh-ca-init / --mesh-ca-issue do),
// then measures, in CPU time of this process:
//   verify      a member certificate checked against the CA (mesh_ca::verifier: parse, key id, chain, validity):
//               paid once per hub (and again only when its certificate changes or expires)
//   present     a hub record's certificate seen again (Membership::present on a cached hub: a keyed hash of ~1 KB)
//   of          the membership check every other record pays (Membership::of: one hash-map lookup)
//   checkSig    for scale: OpenDHT's RSA-2048 signature check of a signed value, which every record already pays
// Prints one JSON line. Usage: pigeonhub-bench-membership [hubs=20] [rounds=2000]
#include <time.h>
#include <unistd.h>

#include <opendht/crypto.h>
#include <opendht/value.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "mesh/membership.h"
#include "mesh/mesh_ca.h"

namespace {

double cpu_us() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The first PEM block of a file (identity.crt holds the hub's certificate, then the CA's).
std::string leaf(const std::string& pem) {
    const std::string end = "-----END CERTIFICATE-----";
    const auto at = pem.find(end);
    return at == std::string::npos ? pem : pem.substr(0, at + end.size()) + "\n";
}

}  // namespace

int main(int argc, char** argv) {
    using namespace pigeonhub;
    const int hubs = argc > 1 ? std::atoi(argv[1]) : 20;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 2000;
    const auto dir = std::filesystem::temp_directory_path() / ("pigeonhub-bench-ca-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);

    if (auto e = mesh_ca::init((dir / "ca").string()); !e.empty()) {
        std::fprintf(stderr, "%s\n", e.c_str());
        return 1;
    }
    std::vector<std::string> ids, certs;
    for (int i = 0; i < hubs; ++i) {
        const auto state = (dir / ("hub" + std::to_string(i))).string();
        std::string id;
        if (auto e = mesh_ca::issue((dir / "ca").string(), state, &id); !e.empty()) {
            std::fprintf(stderr, "%s\n", e.c_str());
            return 1;
        }
        ids.push_back(id);
        certs.push_back(leaf(slurp(state + "/identity.crt")));
    }
    std::string error;
    auto verify = mesh_ca::verifier((dir / "ca" / "ca.crt").string(), &error);
    if (!verify) {
        std::fprintf(stderr, "%s\n", error.c_str());
        return 1;
    }
    const std::int64_t now = static_cast<std::int64_t>(time(nullptr)) * 1000;

    // verify: every round checks a certificate from scratch.
    int admitted = 0;
    double t0 = cpu_us();
    for (int r = 0; r < rounds; ++r) admitted += verify(ids[r % hubs], certs[r % hubs], now).problem.empty();
    const double verify_us = (cpu_us() - t0) / rounds;
    if (admitted != rounds) {
        std::fprintf(stderr, "a member certificate was refused\n");
        return 1;
    }

    Membership m(MeshTrust::ca, verify);
    m.set_self(std::string(40, '0'));
    for (int i = 0; i < hubs; ++i) m.present(ids[i], certs[i], now);
    const int present_rounds = rounds * 50;
    t0 = cpu_us();
    for (int r = 0; r < present_rounds; ++r) admitted += m.present(ids[r % hubs], certs[r % hubs], now) == Membership::Verdict::member;
    const double present_us = (cpu_us() - t0) / present_rounds;
    const int of_rounds = rounds * 5000;
    std::uint64_t members = 0;
    t0 = cpu_us();
    for (int r = 0; r < of_rounds; ++r) members += m.of(ids[r % hubs], now) == Membership::Verdict::member;
    const double of_ns = (cpu_us() - t0) * 1000 / of_rounds;

    // For scale: the RSA-2048 signature check OpenDHT does on every signed value a listener receives.
    auto key = std::make_shared<dht::crypto::PrivateKey>(dht::crypto::PrivateKey::generate(2048));
    std::string text(300, 'x');
    dht::Value v(dht::Blob(text.begin(), text.end()));
    v.sign(*key);
    const int sig_rounds = rounds * 5;
    int good = 0;
    t0 = cpu_us();
    const auto pub = key->getSharedPublicKey();
    const dht::Blob signed_part = v.getToSign();
    for (int r = 0; r < sig_rounds; ++r) good += pub->checkSignature(signed_part, v.signature);  // (Value caches its own)
    const double sig_us = (cpu_us() - t0) / sig_rounds;

    std::printf("{\"hubs\":%d,\"verifyUs\":%.1f,\"presentCachedUs\":%.3f,\"ofNs\":%.1f,\"valueSignatureCheckUs\":%.1f,"
                "\"certificateBytes\":%zu,\"checks\":%llu}\n",
                hubs, verify_us, present_us, of_ns, sig_us, certs[0].size(),
                static_cast<unsigned long long>(members + good + admitted));
    std::filesystem::remove_all(dir);
    return 0;
}
