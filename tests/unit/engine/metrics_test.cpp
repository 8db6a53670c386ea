#include "engine/metrics/metrics.h"

#include <gtest/gtest.h>

namespace sundial::engine {
namespace {

TEST(Metrics, RendersCountersWithLabelsInPrometheusText) {
  Metrics metrics;
  metrics.counter("sundial_x_total", "X things", {{"site", "DEMO"}}).add(3);
  metrics.counter("sundial_x_total", "X things", {{"site", "DEMO"}}).add(2);
  std::string text = metrics.renderPrometheus();
  EXPECT_NE(text.find("# TYPE sundial_x_total counter"), std::string::npos);
  EXPECT_NE(text.find("sundial_x_total{site=\"DEMO\"} 5"), std::string::npos) << text;
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics metrics;
  auto& h = metrics.histogram("sundial_lat_seconds", "latency", {}, {0.1, 1.0});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  std::string text = metrics.renderPrometheus();
  EXPECT_NE(text.find("sundial_lat_seconds_bucket{le=\"0.1\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("sundial_lat_seconds_bucket{le=\"1\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("sundial_lat_seconds_bucket{le=\"+Inf\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("sundial_lat_seconds_count 3"), std::string::npos) << text;
}

TEST(Metrics, CollectorsAppendAtRenderTime) {
  Metrics metrics;
  int calls = 0;
  metrics.addCollector([&](std::string& out) {
    ++calls;
    out += "sundial_queue_depth{destination=\"A\"} 7\n";
  });
  EXPECT_NE(metrics.renderPrometheus().find("sundial_queue_depth{destination=\"A\"} 7"),
            std::string::npos);
  EXPECT_EQ(calls, 1);
}

TEST(Metrics, EscapesLabelValues) {
  EXPECT_EQ(renderLabels({{"a", "x\"y\\z"}}), "{a=\"x\\\"y\\\\z\"}");
}

}  // namespace
}  // namespace sundial::engine
