// An Outbox that records what the router sends, per slot, as complete JSON texts (router and mesh tests).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "signaling/outbox.h"

namespace pigeonhub::testing {

class RecordingOutbox : public Outbox {
public:
    void send(Slot to, OutFrame frame) override { sent[to].push_back(frame.text()); }
    void probe(Slot slot) override { probed.push_back(slot); }
    std::vector<std::string> take(Slot s) {
        auto v = std::move(sent[s]);
        sent[s].clear();
        return v;
    }
    std::map<Slot, std::vector<std::string>> sent;
    std::vector<Slot> probed;
};

}  // namespace pigeonhub::testing
