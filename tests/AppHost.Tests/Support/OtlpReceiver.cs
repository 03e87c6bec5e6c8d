using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrderSystem.AppHost.Tests.Support;

/// <summary>
/// An OTLP/HTTP (protobuf) endpoint on loopback that keeps what the services export: spans with their service, trace,
/// parent and string attributes, and the names of the metrics each service sent. The AppHost is told to use it as the
/// dashboard's OTLP endpoint, so the services receive it exactly as they would receive the dashboard's.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentDictionary<(string Service, string Metric), int> _metrics = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Endpoint => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    public IReadOnlyList<ReceivedSpan> Spans => _spans.ToArray();

    public IReadOnlyCollection<(string Service, string Metric)> Metrics => _metrics.Keys.ToArray();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) => { receiver.ReadTraces(await Body(request)); return Results.Ok(); });
        app.MapPost("/v1/metrics", async (HttpRequest request) => { receiver.ReadMetrics(await Body(request)); return Results.Ok(); });
        app.MapPost("/v1/logs", () => Results.Ok());
        await app.StartAsync();
        return receiver;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static async Task<byte[]> Body(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }  ScopeSpans { repeated Span spans = 2; }
    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; repeated KeyValue attributes = 9; }
    private void ReadTraces(byte[] body)
    {
        var request = new ProtobufReader(body);
        while (request.Next())
        {
            if (request.Field != 1) { request.Skip(); continue; }
            var resourceSpans = new ProtobufReader(request.Bytes());
            var service = "";
            var spans = new List<byte[]>();
            while (resourceSpans.Next())
            {
                if (resourceSpans.Field == 1) service = ServiceName(resourceSpans.Bytes());
                else if (resourceSpans.Field == 2)
                {
                    var scope = new ProtobufReader(resourceSpans.Bytes());
                    while (scope.Next())
                    {
                        if (scope.Field == 2) spans.Add(scope.Bytes().ToArray()); else scope.Skip();
                    }
                }
                else resourceSpans.Skip();
            }

            foreach (var span in spans) _spans.Enqueue(ReadSpan(service, span));
        }
    }

    private static ReceivedSpan ReadSpan(string service, byte[] bytes)
    {
        var span = new ProtobufReader(bytes);
        string traceId = "", spanId = "", parent = "", name = "";
        var attributes = new Dictionary<string, string>();
        while (span.Next())
        {
            switch (span.Field)
            {
                case 1: traceId = Convert.ToHexStringLower(span.Bytes()); break;
                case 2: spanId = Convert.ToHexStringLower(span.Bytes()); break;
                case 4: parent = Convert.ToHexStringLower(span.Bytes()); break;
                case 5: name = span.String(); break;
                case 9: ReadAttribute(span.Bytes(), attributes); break;
                default: span.Skip(); break;
            }
        }

        return new ReceivedSpan(service, traceId, spanId, parent, name, attributes);
    }

    // ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
    // ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
    // ScopeMetrics { repeated Metric metrics = 2; }  Metric { string name = 1; }
    private void ReadMetrics(byte[] body)
    {
        var request = new ProtobufReader(body);
        while (request.Next())
        {
            if (request.Field != 1) { request.Skip(); continue; }
            var resourceMetrics = new ProtobufReader(request.Bytes());
            var service = "";
            var names = new List<string>();
            while (resourceMetrics.Next())
            {
                if (resourceMetrics.Field == 1) service = ServiceName(resourceMetrics.Bytes());
                else if (resourceMetrics.Field == 2)
                {
                    var scope = new ProtobufReader(resourceMetrics.Bytes());
                    while (scope.Next())
                    {
                        if (scope.Field != 2) { scope.Skip(); continue; }
                        var metric = new ProtobufReader(scope.Bytes());
                        while (metric.Next())
                        {
                            if (metric.Field == 1) names.Add(metric.String()); else metric.Skip();
                        }
                    }
                }
                else resourceMetrics.Skip();
            }

            foreach (var name in names) _metrics.AddOrUpdate((service, name), 1, (_, n) => n + 1);
        }
    }

    // Resource { repeated KeyValue attributes = 1; }
    private static string ServiceName(ReadOnlySpan<byte> resource)
    {
        var reader = new ProtobufReader(resource);
        var attributes = new Dictionary<string, string>();
        while (reader.Next())
        {
            if (reader.Field == 1) ReadAttribute(reader.Bytes(), attributes); else reader.Skip();
        }

        return attributes.GetValueOrDefault("service.name", "");
    }

    // KeyValue { string key = 1; AnyValue value = 2; }  AnyValue { string string_value = 1; … }
    private static void ReadAttribute(ReadOnlySpan<byte> keyValue, Dictionary<string, string> into)
    {
        var reader = new ProtobufReader(keyValue);
        string? key = null, value = null;
        while (reader.Next())
        {
            if (reader.Field == 1) key = reader.String();
            else if (reader.Field == 2)
            {
                var any = new ProtobufReader(reader.Bytes());
                while (any.Next())
                {
                    if (any.Field == 1 && any.WireType == 2) value = any.String(); else any.Skip();
                }
            }
            else reader.Skip();
        }

        if (key is not null && value is not null) into[key] = value;
    }
}

public sealed record ReceivedSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes)
{
    public bool IsRoot => ParentSpanId.Length == 0;
}
