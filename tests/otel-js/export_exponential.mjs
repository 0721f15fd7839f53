// Exports an exponential histogram through the OpenTelemetry JS SDK's own OTLP exporters: a
// histogram instrument named as one of the collector's histogram families, aggregated into
// exponential buckets by an SDK view, observed with known values in two rounds (each its own
// export), with the family's labels as attributes and one that is no label of it.
//   node export_exponential.mjs PROTOCOL ENDPOINT TEMPORALITY FAMILY STAGE
// Prints the values observed, one a line, for the test to bucket itself.
import { metrics } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { AggregationTemporalityPreference } from "@opentelemetry/exporter-metrics-otlp-http";

const [protocol, endpoint, temporality, family, stage] = process.argv.slice(2);
const preference = temporality === "cumulative" ? AggregationTemporalityPreference.CUMULATIVE : AggregationTemporalityPreference.DELTA;
const m =
  protocol === "grpc"
    ? await import("@opentelemetry/exporter-metrics-otlp-grpc")
    : protocol === "http/protobuf"
      ? await import("@opentelemetry/exporter-metrics-otlp-proto")
      : await import("@opentelemetry/exporter-metrics-otlp-http");
const url = protocol === "grpc" ? endpoint : `${endpoint}/v1/metrics`;
const exporter = new m.OTLPMetricExporter({ url, temporalityPreference: preference });
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60000 });
const meters = new MeterProvider({
  resource: resourceFromAttributes({ "service.name": "exponential-test" }),
  readers: [reader],
  views: [{ instrumentName: family, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 160 } } }],
});
const histogram = meters.getMeter("agentmetrics.test").createHistogram(family, { unit: "s" });
const attributes = { stage, success: "true", "user.id": "a-user-id-that-must-not-be-a-label" };
const values = [];
for (let round = 0; round < 2; ++round) {
  for (let i = 0; i < 100; ++i) {
    const v = 0.01 * Math.pow(1.07, round * 100 + i);
    histogram.record(v, attributes);
    values.push(v);
  }
  await reader.forceFlush();
}
await meters.shutdown();
for (const v of values) console.log(v.toPrecision(17));
