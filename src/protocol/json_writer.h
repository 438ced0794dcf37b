// A tiny streaming JSON writer for the REST responses (commas are placed automatically).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json.h"

namespace pigeonhub {

class JsonWriter {
public:
    JsonWriter& begin_object() { value_prefix(); out_ += '{'; first_.push_back(true); return *this; }
    JsonWriter& end_object() { out_ += '}'; first_.pop_back(); return *this; }
    JsonWriter& begin_array() { value_prefix(); out_ += '['; first_.push_back(true); return *this; }
    JsonWriter& end_array() { out_ += ']'; first_.pop_back(); return *this; }
    JsonWriter& key(std::string_view k) {
        comma();
        json::append_quoted(out_, k);
        out_ += ':';
        after_key_ = true;
        return *this;
    }
    JsonWriter& value(std::string_view s) { value_prefix(); json::append_quoted(out_, s); return *this; }
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b) { value_prefix(); out_ += b ? "true" : "false"; return *this; }
    JsonWriter& value(std::int64_t v) { value_prefix(); out_ += std::to_string(v); return *this; }
    JsonWriter& value(std::uint64_t v) { value_prefix(); out_ += std::to_string(v); return *this; }
    JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
    JsonWriter& value(unsigned v) { return value(static_cast<std::uint64_t>(v)); }
    JsonWriter& null() { value_prefix(); out_ += "null"; return *this; }
    template <typename T>
    JsonWriter& field(std::string_view k, T v) { key(k); return value(v); }

    std::string take() { return std::move(out_); }

private:
    void comma() {
        if (!first_.empty()) {
            if (!first_.back()) out_ += ',';
            first_.back() = false;
        }
    }
    void value_prefix() {
        if (after_key_) {
            after_key_ = false;
            return;
        }
        comma();
    }

    std::string out_;
    std::vector<bool> first_;
    bool after_key_ = false;
};

}  // namespace pigeonhub
