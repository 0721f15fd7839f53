#!/usr/bin/env python3
"""Reads what tests/agents/otlp_capture.py recorded and says what the client sent (Python 3
standard library only).

Bodies in either OTLP encoding are read into the same OTLP/JSON shape: JSON as it is, protobuf
through a small wire-format reader that knows the fields of the OTLP metrics, logs and traces
messages it needs (a field it does not know is skipped). A body the client gzipped
(content_encoding) or record.py stored gzipped ("stored": "gzip") is unpacked first.

  otlp_summary.py DIR              a readable summary of every request
  otlp_summary.py DIR --json       the same as JSON: {"requests": [...], "metrics": {...}, "events": [...]}

Used by the ctest of tests/agents and to write the findings in tests/agents/README.md.
"""

import argparse
import gzip
import json
import os
import struct
import sys

# (field number) -> (json name, kind, message type or None, repeated)
# kinds: msg, str, bytes, bool, varint, sint (int64 shown as a string like OTLP/JSON), fixed64
# (shown as a string), sfixed64 (string), double, fixed32, packed_fixed64, packed_double, enum
SCHEMA = {
    "ExportMetricsServiceRequest": {1: ("resourceMetrics", "msg", "ResourceMetrics", True)},
    "ExportLogsServiceRequest": {1: ("resourceLogs", "msg", "ResourceLogs", True)},
    "ExportTraceServiceRequest": {1: ("resourceSpans", "msg", "ResourceSpans", True)},
    "ResourceMetrics": {1: ("resource", "msg", "Resource", False), 2: ("scopeMetrics", "msg", "ScopeMetrics", True),
                        3: ("schemaUrl", "str", None, False)},
    "ResourceLogs": {1: ("resource", "msg", "Resource", False), 2: ("scopeLogs", "msg", "ScopeLogs", True),
                     3: ("schemaUrl", "str", None, False)},
    "ResourceSpans": {1: ("resource", "msg", "Resource", False), 2: ("scopeSpans", "msg", "ScopeSpans", True),
                      3: ("schemaUrl", "str", None, False)},
    "Resource": {1: ("attributes", "msg", "KeyValue", True), 2: ("droppedAttributesCount", "varint", None, False)},
    "InstrumentationScope": {1: ("name", "str", None, False), 2: ("version", "str", None, False),
                             3: ("attributes", "msg", "KeyValue", True), 4: ("droppedAttributesCount", "varint", None, False)},
    "ScopeMetrics": {1: ("scope", "msg", "InstrumentationScope", False), 2: ("metrics", "msg", "Metric", True),
                     3: ("schemaUrl", "str", None, False)},
    "ScopeLogs": {1: ("scope", "msg", "InstrumentationScope", False), 2: ("logRecords", "msg", "LogRecord", True),
                  3: ("schemaUrl", "str", None, False)},
    "ScopeSpans": {1: ("scope", "msg", "InstrumentationScope", False), 2: ("spans", "msg", "Span", True),
                   3: ("schemaUrl", "str", None, False)},
    "Metric": {1: ("name", "str", None, False), 2: ("description", "str", None, False), 3: ("unit", "str", None, False),
               5: ("gauge", "msg", "Gauge", False), 7: ("sum", "msg", "Sum", False), 9: ("histogram", "msg", "Histogram", False),
               10: ("exponentialHistogram", "msg", "ExponentialHistogram", False), 11: ("summary", "msg", "Summary", False),
               12: ("metadata", "msg", "KeyValue", True)},
    "Gauge": {1: ("dataPoints", "msg", "NumberDataPoint", True)},
    "Sum": {1: ("dataPoints", "msg", "NumberDataPoint", True), 2: ("aggregationTemporality", "enum", None, False),
            3: ("isMonotonic", "bool", None, False)},
    "Histogram": {1: ("dataPoints", "msg", "HistogramDataPoint", True), 2: ("aggregationTemporality", "enum", None, False)},
    "ExponentialHistogram": {1: ("dataPoints", "msg", "ExponentialHistogramDataPoint", True),
                             2: ("aggregationTemporality", "enum", None, False)},
    "Summary": {1: ("dataPoints", "msg", "SummaryDataPoint", True)},
    "NumberDataPoint": {7: ("attributes", "msg", "KeyValue", True), 2: ("startTimeUnixNano", "fixed64", None, False),
                        3: ("timeUnixNano", "fixed64", None, False), 4: ("asDouble", "double", None, False),
                        6: ("asInt", "sfixed64", None, False), 8: ("flags", "varint", None, False)},
    "HistogramDataPoint": {9: ("attributes", "msg", "KeyValue", True), 2: ("startTimeUnixNano", "fixed64", None, False),
                           3: ("timeUnixNano", "fixed64", None, False), 4: ("count", "fixed64", None, False),
                           5: ("sum", "double", None, False), 6: ("bucketCounts", "packed_fixed64", None, False),
                           7: ("explicitBounds", "packed_double", None, False), 10: ("flags", "varint", None, False),
                           11: ("min", "double", None, False), 12: ("max", "double", None, False)},
    "ExponentialHistogramDataPoint": {1: ("attributes", "msg", "KeyValue", True), 4: ("count", "fixed64", None, False),
                                      5: ("sum", "double", None, False), 6: ("scale", "varint", None, False)},
    "SummaryDataPoint": {7: ("attributes", "msg", "KeyValue", True), 4: ("count", "fixed64", None, False),
                         5: ("sum", "double", None, False)},
    "KeyValue": {1: ("key", "str", None, False), 2: ("value", "msg", "AnyValue", False)},
    "KeyValueList": {1: ("values", "msg", "KeyValue", True)},
    "ArrayValue": {1: ("values", "msg", "AnyValue", True)},
    "AnyValue": {1: ("stringValue", "str", None, False), 2: ("boolValue", "bool", None, False),
                 3: ("intValue", "sint", None, False), 4: ("doubleValue", "double", None, False),
                 5: ("arrayValue", "msg", "ArrayValue", False), 6: ("kvlistValue", "msg", "KeyValueList", False),
                 7: ("bytesValue", "bytes", None, False)},
    "LogRecord": {1: ("timeUnixNano", "fixed64", None, False), 11: ("observedTimeUnixNano", "fixed64", None, False),
                  2: ("severityNumber", "enum", None, False), 3: ("severityText", "str", None, False),
                  5: ("body", "msg", "AnyValue", False), 6: ("attributes", "msg", "KeyValue", True),
                  7: ("droppedAttributesCount", "varint", None, False), 8: ("flags", "fixed32", None, False),
                  9: ("traceId", "bytes", None, False), 10: ("spanId", "bytes", None, False), 12: ("eventName", "str", None, False)},
    "Span": {1: ("traceId", "bytes", None, False), 2: ("spanId", "bytes", None, False), 3: ("traceState", "str", None, False),
             4: ("parentSpanId", "bytes", None, False), 5: ("name", "str", None, False), 6: ("kind", "enum", None, False),
             7: ("startTimeUnixNano", "fixed64", None, False), 8: ("endTimeUnixNano", "fixed64", None, False),
             9: ("attributes", "msg", "KeyValue", True), 11: ("events", "msg", "SpanEvent", True),
             15: ("status", "msg", "Status", False), 16: ("flags", "fixed32", None, False)},
    "SpanEvent": {1: ("timeUnixNano", "fixed64", None, False), 2: ("name", "str", None, False),
                  3: ("attributes", "msg", "KeyValue", True)},
    "Status": {2: ("message", "str", None, False), 3: ("code", "enum", None, False)},
}


def varint(data, pos):
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def decode(data, message):
    """A protobuf message as the dict OTLP/JSON would carry."""
    fields = SCHEMA[message]
    out = {}
    pos = 0
    while pos < len(data):
        key, pos = varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            raw, pos = varint(data, pos)
        elif wire == 1:
            raw, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = varint(data, pos)
            raw, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            raw, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire} in {message}")
        if pos > len(data):
            raise ValueError(f"truncated {message}")
        if number not in fields:
            continue
        name, kind, sub, repeated = fields[number]
        if kind == "msg":
            value = decode(raw, sub)
        elif kind == "str":
            value = raw.decode("utf-8")
        elif kind == "bytes":
            value = raw.hex()
        elif kind == "bool":
            value = bool(raw)
        elif kind in ("varint", "enum"):
            value = raw
        elif kind == "sint":
            value = str(raw - (1 << 64) if raw >= 1 << 63 else raw)
        elif kind == "fixed64":
            value = str(struct.unpack("<Q", raw)[0])
        elif kind == "sfixed64":
            value = str(struct.unpack("<q", raw)[0])
        elif kind == "double":
            value = struct.unpack("<d", raw)[0]
        elif kind == "fixed32":
            value = struct.unpack("<I", raw)[0]
        elif kind == "packed_fixed64":
            value = [str(v) for v in struct.unpack(f"<{len(raw) // 8}Q", raw)]
        elif kind == "packed_double":
            value = list(struct.unpack(f"<{len(raw) // 8}d", raw))
        else:
            raise ValueError(kind)
        if repeated:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    return out


def load(directory):
    """Every recorded request: its index entry and its body in the OTLP/JSON shape."""
    requests = []
    index = os.path.join(directory, "index.jsonl")
    if not os.path.exists(index):
        return requests
    with open(index, encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            with open(os.path.join(directory, entry["file"]), "rb") as body_file:
                raw = body_file.read()
            if entry.get("stored") == "gzip":  # compressed at rest by record.py
                raw = gzip.decompress(raw)
            if (entry.get("content_encoding") or "").lower() == "gzip":  # compressed by the client
                raw = gzip.decompress(raw)
            message = {"metrics": "ExportMetricsServiceRequest", "logs": "ExportLogsServiceRequest",
                       "traces": "ExportTraceServiceRequest"}.get(entry["signal"])
            if "json" in (entry.get("content_type") or ""):
                body = json.loads(raw)
            elif message:
                body = decode(raw, message)
            else:
                body = None
            requests.append(dict(entry, body=body))
    return requests


def any_value(value):
    """An AnyValue as a Python value, keeping its OTLP type visible: ("int", 3), ("string", "x")."""
    if not value:
        return ("empty", None)
    for key, kind in (("stringValue", "string"), ("intValue", "int"), ("doubleValue", "double"), ("boolValue", "bool"),
                      ("bytesValue", "bytes")):
        if key in value:
            return (kind, value[key])
    if "arrayValue" in value:
        return ("array", [any_value(v) for v in value["arrayValue"].get("values", [])])
    if "kvlistValue" in value:
        return ("kvlist", {kv["key"]: any_value(kv.get("value")) for kv in value["kvlistValue"].get("values", [])})
    return ("unknown", value)


def attributes(kvs):
    return {kv["key"]: any_value(kv.get("value")) for kv in kvs or []}


def summarize(requests):
    """Metric points, log records and spans, flattened, with their resource and scope."""
    metrics, events, spans = [], [], []
    for request in requests:
        body = request["body"] or {}
        for rm in body.get("resourceMetrics", []):
            resource = attributes(rm.get("resource", {}).get("attributes"))
            for sm in rm.get("scopeMetrics", []):
                for metric in sm.get("metrics", []):
                    for kind in ("sum", "gauge", "histogram", "exponentialHistogram", "summary"):
                        if kind in metric:
                            data = metric[kind]
                            break
                    else:
                        kind, data = "unknown", {}
                    for point in data.get("dataPoints", []):
                        value_type = "int" if "asInt" in point else "double" if "asDouble" in point else kind
                        value = point.get("asInt", point.get("asDouble", point.get("sum")))
                        metrics.append({"request": request["seq"], "name": metric["name"], "kind": kind,
                                        "unit": metric.get("unit", ""), "temporality": data.get("aggregationTemporality"),
                                        "monotonic": data.get("isMonotonic"), "value_type": value_type, "value": value,
                                        "count": point.get("count"), "attributes": attributes(point.get("attributes")),
                                        "start": point.get("startTimeUnixNano"), "time": point.get("timeUnixNano"),
                                        "resource": resource, "scope": sm.get("scope", {}).get("name")})
        for rl in body.get("resourceLogs", []):
            resource = attributes(rl.get("resource", {}).get("attributes"))
            for sl in rl.get("scopeLogs", []):
                for record in sl.get("logRecords", []):
                    events.append({"request": request["seq"], "body": any_value(record.get("body")),
                                   "event_name": record.get("eventName"), "severity": record.get("severityText"),
                                   "attributes": attributes(record.get("attributes")), "resource": resource,
                                   "scope": sl.get("scope", {}).get("name"), "time": record.get("timeUnixNano")})
        for rs in body.get("resourceSpans", []):
            resource = attributes(rs.get("resource", {}).get("attributes"))
            for ss in rs.get("scopeSpans", []):
                for span in ss.get("spans", []):
                    spans.append({"request": request["seq"], "name": span.get("name"), "attributes": attributes(span.get("attributes")),
                                  "resource": resource, "scope": ss.get("scope", {}).get("name")})
    return {"metrics": metrics, "events": events, "spans": spans}


def event_name(event):
    """The event's name: its event.name attribute where there is one (Claude Code and Codex put it
    there; Codex's record eventName is a source location), else the record's eventName, else the body."""
    if "event.name" in event["attributes"]:
        return event["attributes"]["event.name"][1]
    if event.get("event_name"):
        return event["event_name"]
    return event["body"][1] if event["body"][0] == "string" else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    requests = load(args.dir)
    summary = summarize(requests)
    if args.json:
        json.dump({"requests": [{k: v for k, v in r.items() if k != "body"} for r in requests], **summary}, sys.stdout, indent=1)
        return
    for r in requests:
        print(f"request {r['seq']}: {r['transport']} {r['path']} {r['content_type']} encoding={r['content_encoding']} {r['bytes']} bytes")
    print("resource:", json.dumps((summary["metrics"] or summary["events"] or [{"resource": {}}])[0]["resource"]))
    for m in summary["metrics"]:
        attrs = {k: v[1] for k, v in m["attributes"].items()}
        print(f"metric {m['name']} {m['kind']} temporality={m['temporality']} monotonic={m['monotonic']} "
              f"{m['value_type']}={m['value']} unit={m['unit']!r} {json.dumps(attrs)}")
    for e in summary["events"]:
        attrs = {k: v for k, v in e["attributes"].items()}
        print(f"event {event_name(e)!r} record_name={e['event_name']!r} body={e['body']} {json.dumps(attrs)}")
    for s in summary["spans"]:
        print(f"span {s['name']} {json.dumps({k: v[1] for k, v in s['attributes'].items()})}")


if __name__ == "__main__":
    main()
