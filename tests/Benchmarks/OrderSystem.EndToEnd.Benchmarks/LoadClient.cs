using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;

namespace OrderSystem.EndToEnd.Benchmarks;

internal sealed record Step(double Offered, double Confirmed, bool Sustained);

internal sealed record RampResult(IReadOnlyList<Step> Steps, string LoadAtMax)
{
    public double MaxSustained => Steps.Where(s => s.Sustained).Select(s => s.Offered).DefaultIfEmpty(0).Max();
    public double MaxSustainedConfirmed => Steps.Where(s => s.Sustained).Select(s => s.Confirmed).DefaultIfEmpty(0).LastOrDefault();
    public double PeakConfirmed => Steps.Select(s => s.Confirmed).DefaultIfEmpty(0).Max();
}

internal sealed record PhaseResult(string Name, int Posted, int Confirmed, int PostErrors, double[] LatenciesMs, Dictionary<string, double> CpuSeconds, string LoadAfter)
{
    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0) return double.NaN;
        var sorted = LatenciesMs.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    /// <summary>CPU milliseconds one process spent per confirmed order in this phase.</summary>
    public double CpuMsPerOrder(string process) => CpuSeconds[process] * 1000 / Math.Max(1, Confirmed);

    /// <summary>CPU milliseconds per confirmed order over the system's processes (the load client left out).</summary>
    public double SystemCpuMsPerOrder() => CpuSeconds.Keys.Where(k => k != LoadClientProcess).Sum(CpuMsPerOrder);

    public const string LoadClientProcess = "load client";
}

/// <summary>
/// Places orders open-loop at a fixed rate (a slow system does not slow the client down, so a growing backlog shows) and
/// follows them to Confirmed by reading the saga's table: the POST's start (client clock) to the saga's Confirmed entry
/// (the service's clock, the same machine).
/// </summary>
internal sealed class LoadClient(SystemUnderTest system, Settings settings)
{
    private const int MaxInFlightPosts = 256;
    private readonly HttpClient _ordering = new(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = system.OrderingUrl,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly NpgsqlDataSource _orders = NpgsqlDataSource.Create(settings.Database("orderdb"));
    private readonly SemaphoreSlim _inFlight = new(MaxInFlightPosts);
    private int _posted;
    private int _postErrors;

    public async Task PrepareAsync()
    {
        using var inventory = new HttpClient { BaseAddress = system.InventoryUrl };
        inventory.DefaultRequestHeaders.Add("X-Api-Key", Settings.OperatorKey);
        for (var n = 1; n <= settings.Products; n++)
        {
            var response = await inventory.PostAsJsonAsync("/products", new { sku = Settings.Sku(n), name = "Benchmark item " + n, price = 1.00m, available = 100_000_000 });
            if (response.StatusCode != HttpStatusCode.Conflict) response.EnsureSuccessStatusCode();
        }
    }

    public async Task<(int Confirmed, int Failed)> ConfirmedAsync()
    {
        await using var command = _orders.CreateCommand(
            "SELECT count(*) FILTER (WHERE current_state = 'Confirmed'), count(*) FILTER (WHERE current_state IN ('Rejected', 'Cancelled')) FROM order_states");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return ((int)reader.GetInt64(0), (int)reader.GetInt64(1));
    }

    /// <summary>Posts at <paramref name="rate"/> for <paramref name="seconds"/>, then waits (bounded) until they are confirmed.</summary>
    public async Task<PhaseResult> FixedRateAsync(string name, double rate, int seconds)
    {
        Progress.Phase($"fixed {name}");
        await DrainAsync(TimeSpan.FromSeconds(120));
        var cpuBefore = system.CpuSeconds();
        var errorsBefore = _postErrors;
        var sent = new ConcurrentDictionary<Guid, DateTimeOffset>();
        var posting = PostAsync(rate, TimeSpan.FromSeconds(seconds), sent);
        var watch = Stopwatch.StartNew();
        while (!posting.IsCompleted)
        {
            var (confirmed, _) = await ConfirmedAsync();
            Progress.Line($"{rate:F0}/s for {seconds} s: posted {_posted}, confirmed {confirmed}, {watch.Elapsed.TotalSeconds:F0} s");
            await Task.WhenAny(posting, Task.Delay(1000));
        }

        var count = await posting;
        var bound = TimeSpan.FromSeconds(Math.Max(30, seconds * 3));
        var latencies = await WaitConfirmedAsync(sent, bound);
        var cpuAfter = system.CpuSeconds();
        return new PhaseResult(name, count, latencies.Length, _postErrors - errorsBefore, latencies,
            cpuAfter.ToDictionary(c => c.Key, c => c.Value - cpuBefore[c.Key]), LoadAverage.Read());
    }

    /// <summary>
    /// Steps from <paramref name="startRate"/> up by 25 % until a step is not sustained (if the first is not, halves
    /// until one is, then goes up again below the lowest rate that failed). At most <paramref name="maxSteps"/> steps.
    /// </summary>
    public async Task<RampResult> RampAsync(string name, double startRate, int maxSteps)
    {
        Progress.Phase($"ramp, {name}");
        await DrainAsync(TimeSpan.FromSeconds(120));
        var steps = new List<Step>();
        var loadAtMax = "";
        var settle = TimeSpan.FromSeconds(Math.Max(3, settings.StepSeconds / 3));
        var measure = TimeSpan.FromSeconds(settings.StepSeconds) - settle;
        var rate = startRate;
        var anySustained = false;
        var lowestFailed = double.MaxValue;
        for (var i = 0; i < maxSteps; i++)
        {
            var errors = _postErrors;
            var posting = PostAsync(rate, settle + measure, new ConcurrentDictionary<Guid, DateTimeOffset>());
            await Task.Delay(settle);
            var (start, _) = await ConfirmedAsync();
            var window = Stopwatch.StartNew();
            var confirmed = start;
            while (window.Elapsed < measure)
            {
                await Task.Delay(1000);
                (confirmed, _) = await ConfirmedAsync();
                Progress.Line($"step {rate:F0}/s: confirmed {(confirmed - start) / window.Elapsed.TotalSeconds:F1}/s, backlog {_posted - confirmed}");
            }

            var confirmedRate = (confirmed - start) / window.Elapsed.TotalSeconds;
            await posting;
            var sustained = confirmedRate >= 0.95 * rate && _postErrors == errors;
            steps.Add(new Step(rate, confirmedRate, sustained));
            Progress.Note($"{name}: {rate:F0}/s offered → {confirmedRate:F1}/s confirmed {(sustained ? "(sustained)" : "(not sustained)")}, load {LoadAverage.Read()}");
            if (sustained)
            {
                anySustained = true;
                loadAtMax = LoadAverage.Read();
                rate = Math.Max(rate + 1, Math.Round(rate * 1.25));
                if (rate >= lowestFailed) break;
                continue;
            }

            lowestFailed = Math.Min(lowestFailed, rate);
            if (anySustained || rate <= 2) break;
            // Not even the first step held: search downwards from half of it.
            await DrainAsync(TimeSpan.FromSeconds(180));
            rate = Math.Max(2, Math.Round(rate / 2));
        }

        await DrainAsync(TimeSpan.FromSeconds(180));
        return new RampResult(steps, loadAtMax);
    }

    private async Task DrainAsync(TimeSpan bound)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < bound)
        {
            var (confirmed, failed) = await ConfirmedAsync();
            if (confirmed + failed >= _posted - _postErrors) return;
            Progress.Line($"draining: backlog {_posted - _postErrors - confirmed - failed}");
            await Task.Delay(1000);
        }

        Progress.Note($"backlog not drained after {bound.TotalSeconds:F0} s; continuing");
    }

    /// <summary>POSTs that did not get 202 (errors and timeouts) so far.</summary>
    public int PostErrors => Volatile.Read(ref _postErrors);

    /// <summary>Posts at <paramref name="rate"/> for <paramref name="duration"/>; each accepted order's id and POST time goes into <paramref name="sent"/>.</summary>
    public async Task<int> PostAsync(double rate, TimeSpan duration, ConcurrentDictionary<Guid, DateTimeOffset> sent)
    {
        var total = (int)Math.Round(rate * duration.TotalSeconds);
        var tasks = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            await _inFlight.WaitAsync();
            tasks.Add(PostOneAsync(sent));
        }

        await Task.WhenAll(tasks);
        return total;
    }

    private async Task PostOneAsync(ConcurrentDictionary<Guid, DateTimeOffset> sent)
    {
        try
        {
            var number = Interlocked.Increment(ref _posted);
            var sku = Settings.Sku(1 + number % settings.Products);
            var at = DateTimeOffset.UtcNow;
            using var response = await _ordering.PostAsJsonAsync("/orders",
                new { customerId = "e2e-bench", lines = new[] { new { sku, quantity = 1 } } });
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                Interlocked.Increment(ref _postErrors);
                return;
            }

            var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
            sent[accepted.GetProperty("orderId").GetGuid()] = at;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Interlocked.Increment(ref _postErrors);
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <summary>POST → Confirmed of the orders in <paramref name="sent"/> that are confirmed within the bound, in ms.</summary>
    private async Task<double[]> WaitConfirmedAsync(ConcurrentDictionary<Guid, DateTimeOffset> sent, TimeSpan bound)
    {
        var ids = sent.Keys.ToArray();
        var confirmedAt = new Dictionary<Guid, DateTimeOffset>();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await using (var command = _orders.CreateCommand(
                             "SELECT correlation_id, history::text FROM order_states WHERE current_state = 'Confirmed' AND correlation_id = ANY(@ids)"))
            {
                command.Parameters.AddWithValue("ids", ids.Where(id => !confirmedAt.ContainsKey(id)).ToArray());
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    using var history = JsonDocument.Parse(reader.GetString(1));
                    foreach (var entry in history.RootElement.EnumerateArray())
                        if (entry.GetProperty("state").GetString() == "Confirmed")
                            confirmedAt[reader.GetGuid(0)] = entry.GetProperty("at").GetDateTimeOffset();
                }
            }

            Progress.Line($"confirmed {confirmedAt.Count} of {ids.Length}, {watch.Elapsed.TotalSeconds:F0} s after the last POST");
            if (confirmedAt.Count >= ids.Length || watch.Elapsed > bound) break;
            await Task.Delay(1000);
        }

        return confirmedAt.Select(c => (c.Value - sent[c.Key]).TotalMilliseconds).ToArray();
    }
}
