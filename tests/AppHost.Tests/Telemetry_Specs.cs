using OrderSystem.AppHost.Tests.Support;
using OrderSystem.Testing.Polling;
using Shouldly;

namespace OrderSystem.AppHost.Tests;

/// <summary>
/// What the services export arrives at the OTLP endpoint the AppHost gives them (the dashboard's, when it runs): one
/// order is one trace across the four services, with readable database spans, and every documented metric.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class Telemetry_Specs(RunningSystem running)
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task One_order_is_one_trace_across_the_four_services()
    {
        var orderId = await running.System.PlaceOrderAsync();
        await running.System.WaitForStateAsync(orderId, "Confirmed");

        var trace = await Eventually.Get(() => Task.FromResult(TraceOf(orderId)), spans =>
                spans.Select(s => s.Service).Distinct().Count() == 4 && spans.Any(s => s.Service == "notification" && s.Name.Contains("process")),
            $"the trace of order {orderId} from all four services", ExportTimeout);

        trace.Count(s => s.IsRoot).ShouldBe(1, "one root: the POST that placed the order");
        trace.Single(s => s.IsRoot).Name.ShouldStartWith("POST");
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        await Eventually.True(() => Task.FromResult(TraceOf(orderId).All(s => s.IsRoot || TraceOf(orderId).Any(p => p.SpanId == s.ParentSpanId))),
            "every parent of the order's spans arrived", ExportTimeout);
        trace.Select(s => s.Service).Distinct().Order().ShouldBe(["inventory", "notification", "ordering", "payment"]);

        var database = trace.Where(s => s.Attributes.ContainsKey("db.query.text")).ToList();
        database.ShouldNotBeEmpty();
        database.ShouldAllBe(s => s.Name != "postgresql", "database spans carry the operation and table");
        database.ShouldContain(s => s.Name == "INSERT outbox_message" || s.Name.StartsWith("INSERT "));
    }

    [Fact]
    public async Task Background_polling_makes_no_trace_of_its_own()
    {
        // The delivery services poll and the metric gauges query every second; give them time to show up if traced.
        await Eventually.True(() => Task.FromResult(running.Telemetry.Metrics.Any(m => m.Metric == "messaging.outbox.backlog")),
            "a gauge that reads the database was exported", ExportTimeout);

        running.Telemetry.Spans.Where(s => s.IsRoot && s.Attributes.ContainsKey("db.query.text")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Every_documented_metric_arrives()
    {
        var orderId = await running.System.PlaceOrderAsync();
        await running.System.WaitForStateAsync(orderId, "Confirmed");
        string[] ordering = ["orders.submitted", "orders.confirmed", "orders.duration", "messaging.outbox.backlog",
            "messaging.outbox.oldest_age", "messaging.scheduler.pending", "messaging.outbox.delivered", "http.server.request.duration"];

        await Eventually.True(() => Task.FromResult(ordering.All(m => Has("ordering", m))),
            "Ordering's metrics: " + string.Join(", ", ordering), ExportTimeout);
        await Eventually.True(() => Task.FromResult(OrderSystemApp.Services.All(s =>
                running.Telemetry.Metrics.Any(m => m.Service == s && m.Metric.StartsWith("messaging.masstransit.", StringComparison.Ordinal)))),
            "MassTransit's metrics from every service", ExportTimeout);
        await Eventually.True(() => Task.FromResult(OrderSystemApp.Services.All(s => Has(s, "messaging.error_queue.depth"))),
            "the error-queue gauge from every service", ExportTimeout);
        string[] queueGauges = ["messaging.queue.ready", "messaging.queue.unacked", "messaging.queue.consumers", "messaging.queue.lag"];
        await Eventually.True(() => Task.FromResult(OrderSystemApp.Services.All(s => queueGauges.All(m => Has(s, m)))),
            "the queue gauges from every service: " + string.Join(", ", queueGauges), ExportTimeout);
    }

    private bool Has(string service, string metric) => running.Telemetry.Metrics.Contains((service, metric));

    private IReadOnlyList<ReceivedSpan> TraceOf(Guid orderId)
    {
        var spans = running.Telemetry.Spans;
        var traceId = spans.FirstOrDefault(s => s.Attributes.TryGetValue("order.id", out var id) && id == orderId.ToString())?.TraceId;
        return traceId is null ? [] : spans.Where(s => s.TraceId == traceId).ToList();
    }
}
