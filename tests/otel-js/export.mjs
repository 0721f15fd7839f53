// Exports known data points to an OTLP receiver through the OpenTelemetry JS SDK's own
// exporters, as Claude Code (which is built on this SDK) names them: two rounds of token and
// cost counters and one API-request event, for the model given.
//   node export.mjs PROTOCOL ENDPOINT TEMPORALITY MODEL [TOKEN]
// PROTOCOL: http/protobuf, http/json or grpc; ENDPOINT: http://127.0.0.1:PORT (the signal paths
// are added for HTTP); TEMPORALITY: delta or cumulative.
import { metrics } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { AggregationTemporalityPreference } from "@opentelemetry/exporter-metrics-otlp-http";

const [protocol, endpoint, temporality, model, token] = process.argv.slice(2);
const headers = token ? { Authorization: `Bearer ${token}` } : {};
const preference = temporality === "cumulative" ? AggregationTemporalityPreference.CUMULATIVE : AggregationTemporalityPreference.DELTA;

async function exporters() {
  if (protocol === "grpc") {
    const { Metadata } = await import("@grpc/grpc-js");
    const metadata = new Metadata();
    if (token) metadata.set("authorization", `Bearer ${token}`);
    const m = await import("@opentelemetry/exporter-metrics-otlp-grpc");
    const l = await import("@opentelemetry/exporter-logs-otlp-grpc");
    return [new m.OTLPMetricExporter({ url: endpoint, temporalityPreference: preference, metadata }), new l.OTLPLogExporter({ url: endpoint, metadata })];
  }
  const [m, l] =
    protocol === "http/protobuf"
      ? [await import("@opentelemetry/exporter-metrics-otlp-proto"), await import("@opentelemetry/exporter-logs-otlp-proto")]
      : [await import("@opentelemetry/exporter-metrics-otlp-http"), await import("@opentelemetry/exporter-logs-otlp-http")];
  return [
    new m.OTLPMetricExporter({ url: `${endpoint}/v1/metrics`, temporalityPreference: preference, headers }),
    new l.OTLPLogExporter({ url: `${endpoint}/v1/logs`, headers }),
  ];
}

const [metricExporter, logExporter] = await exporters();
const resource = resourceFromAttributes({ "service.name": "claude-code", "service.version": "js-sdk-test" });
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60000 });
const meters = new MeterProvider({ resource, readers: [reader] });
metrics.setGlobalMeterProvider(meters);
const loggers = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: logExporter })] });
logs.setGlobalLoggerProvider(loggers);

const meter = metrics.getMeter("com.anthropic.claude_code");
const tokens = meter.createCounter("claude_code.token.usage", { unit: "tokens" });
const cost = meter.createCounter("claude_code.cost.usage", { unit: "USD" });
const session = { "session.id": `js-${model}`, "user.id": "a-user-id-that-must-not-be-a-label" };

tokens.add(1000, { ...session, model, type: "input" });
tokens.add(50, { ...session, model, type: "output" });
tokens.add(2000, { ...session, model, type: "cacheRead" });
cost.add(0.25, { ...session, model });
await reader.forceFlush();
tokens.add(500, { ...session, model, type: "input" });
cost.add(0.25, { ...session, model });
await reader.forceFlush();
// An export with nothing new: a cumulative exporter sends the same totals again.
await reader.forceFlush();

logs.getLogger("com.anthropic.claude_code").emit({
  body: "claude_code.api_request",
  attributes: {
    ...session,
    "event.name": "api_request",
    model,
    input_tokens: 1500,
    output_tokens: 50,
    cache_read_tokens: 2000,
    cache_creation_tokens: 0,
    cost_usd: 0.5,
    duration_ms: "1200",
  },
});
await loggers.forceFlush();
await meters.shutdown();
await loggers.shutdown();
