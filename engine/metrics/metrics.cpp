#include "engine/metrics/metrics.h"

#include <cmath>
#include <cstdio>

namespace sundial::engine {
namespace {

std::string formatNumber(double v) {
  char buffer[64];
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::snprintf(buffer, sizeof buffer, "%.9g", v);
  return buffer;
}

std::string withLabel(const std::string& labels, const std::string& extra) {
  if (labels.empty()) return "{" + extra + "}";
  return labels.substr(0, labels.size() - 1) + "," + extra + "}";
}

}  // namespace

std::string renderLabels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += key;
    out += "=\"";
    for (char c : value) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double seconds) {
  size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double micros = seconds > 0 ? seconds * 1e6 : 0;
  sum_micros_.fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulativeCounts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::sum() const {
  return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
}

std::vector<double> Metrics::defaultLatencyBounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
}

Metrics::Family& Metrics::family(const std::string& name, const std::string& help,
                                 const char* type) {
  Family& f = families_[name];
  if (f.type.empty()) {
    f.help = help;
    f.type = type;
  }
  return f;
}

Counter& Metrics::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "counter").counters[renderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "gauge").gauges[renderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                              const Labels& labels, std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  auto& slot = family(name, help, "histogram").histograms[renderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return *slot;
}

void Metrics::addCollector(std::function<void(std::string&)> collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::renderPrometheus() const {
  std::vector<std::function<void(std::string&)>> collectors;
  std::string out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, f] : families_) {
      out += "# HELP " + name + " " + f.help + "\n";
      out += "# TYPE " + name + " " + f.type + "\n";
      for (const auto& [labels, c] : f.counters) {
        out += name + labels + " " + std::to_string(c->value()) + "\n";
      }
      for (const auto& [labels, g] : f.gauges) {
        out += name + labels + " " + formatNumber(g->value()) + "\n";
      }
      for (const auto& [labels, h] : f.histograms) {
        auto counts = h->cumulativeCounts();
        for (size_t i = 0; i < h->bounds().size(); ++i) {
          out += name + "_bucket" + withLabel(labels, "le=\"" + formatNumber(h->bounds()[i]) + "\"") +
                 " " + std::to_string(counts[i]) + "\n";
        }
        out += name + "_bucket" + withLabel(labels, "le=\"+Inf\"") + " " +
               std::to_string(counts.back()) + "\n";
        out += name + "_sum" + labels + " " + formatNumber(h->sum()) + "\n";
        out += name + "_count" + labels + " " + std::to_string(h->count()) + "\n";
      }
    }
    collectors = collectors_;
  }
  // Collectors may do I/O: never while holding mutex_.
  for (const auto& collect : collectors) collect(out);
  return out;
}

}  // namespace sundial::engine
