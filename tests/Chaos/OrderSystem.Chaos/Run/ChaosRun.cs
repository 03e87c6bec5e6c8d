using System.Diagnostics;
using Npgsql;
using OrderSystem.Chaos.Client;
using OrderSystem.Chaos.Faults;
using OrderSystem.Chaos.Invariants;
using OrderSystem.Chaos.Servers;
using OrderSystem.SystemProcesses.Broker;
using OrderSystem.SystemProcesses.Console;
using OrderSystem.SystemProcesses.Machine;
using OrderSystem.SystemProcesses.Services;

namespace OrderSystem.Chaos.Run;

/// <summary>
/// One chaos run: private servers (eng/infra.sh), a fresh vhost and fresh databases, the four services as processes;
/// orders placed at a steady rate while each fault of <see cref="ChaosOptions.Faults"/> strikes in turn, spread evenly
/// over the placing time (a fault waits for the previous one's backlog to drain). The client keeps placing orders at
/// the same rate until the last fault has drained, so that every fault strikes under load: at least
/// <see cref="ChaosOptions.Orders"/> orders, more when the faults take longer. Then the final drain and the invariants.
/// Past <see cref="ChaosOptions.RunTimeout"/> it stops wherever it is (services killed, servers stopped) and throws a
/// <see cref="TimeoutException"/> that names the phase.
/// </summary>
public sealed class ChaosRun(ChaosOptions options)
{
    public const string VirtualHost = "chaos";
    private const string OperatorKey = "chaos-operator-key";
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(10);

    public async Task<ChaosResult> RunAsync()
    {
        using var deadline = new CancellationTokenSource();
        if (options.RunTimeout is { } runTimeout) deadline.CancelAfter(runTimeout);
        var servers = new PrivateServers(options.RepositoryRoot, options.InfraDir, options.RabbitMqBasePort, options.PostgresBasePort, options.EpmdBasePort);
        Progress.Phase("servers");
        await servers.StartAsync();
        try
        {
            return await RunAgainstAsync(servers, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"the chaos run did not finish within {options.RunTimeout?.TotalSeconds:F0} s; it was at \"{Progress.CurrentPhase}\" (its notes above say how far it got)");
        }
        finally
        {
            if (!options.KeepServers) await servers.StopAsync();
        }
    }

    private async Task<ChaosResult> RunAgainstAsync(PrivateServers servers, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var loads = new List<string>();
        string Database(string name) => new NpgsqlConnectionStringBuilder(servers.PostgresServer) { Database = name }.ConnectionString;

        await ResetDatabasesAsync(servers.PostgresServer);
        using var management = new RabbitMqManagement(servers.ManagementUri);
        await management.DeleteVirtualHostAsync(VirtualHost);
        await management.CreateVirtualHostAsync(VirtualHost);

        var environment = new ServiceEnvironment(new UriBuilder(servers.RabbitMqUri) { Path = "/" + VirtualHost }.Uri.ToString(), Database)
            .With("Inventory__OperatorApiKey", OperatorKey);
        await using var services = new ServiceProcesses(options.RepositoryRoot + "/src", options.Configuration, environment);
        Progress.Phase("services");
        foreach (var name in ServiceEnvironment.ServiceNames) services.Start(name, name, FreePorts.Any());
        foreach (var name in ServiceEnvironment.ServiceNames) await services.WaitHealthyAsync(name, options.HealthyTimeout, cancellationToken);
        Progress.Note($"four services healthy; their logs in {services.LogDir}");

        var runId = startedAt.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture) + Random.Shared.Next(1000, 9999);
        var catalog = new ChaosCatalog(runId, options.Orders);
        await SeedAsync(services.Url("Inventory"), catalog);

        var ledger = new ClientLedger();
        using var client = new OrderClient(services.Url("Ordering"), ledger);
        await using var orderdb = NpgsqlDataSource.Create(Database("orderdb"));
        var backlog = new OrderBacklog(orderdb);
        var stuck = new StuckOrders(backlog, management, VirtualHost);
        var injector = new FaultInjector(options, services, servers, backlog, ledger, stuck);

        Progress.Phase("orders and faults");
        Progress.Note($"placing {options.Orders} orders at {options.Rate}/s over {options.PlacingTime.TotalSeconds:F0} s (more while faults last); faults: {string.Join(", ", options.Faults)}");
        var faults = new List<FaultResult>();
        int placed;
        TimeSpan? finalDrain;
        try
        {
            using var faultsDone = new CancellationTokenSource();
            var placing = PlaceAsync(client, catalog, faultsDone.Token, cancellationToken);
            var placingClock = Stopwatch.StartNew();
            for (var i = 0; i < options.Faults.Count; i++)
            {
                var due = options.PlacingTime * (i + 1) / (options.Faults.Count + 1);
                while (placingClock.Elapsed < due)
                {
                    Progress.Line($"{ledger.Accepted.Count} accepted, {ledger.Retries} retries; next fault {options.Faults[i]} in {(due - placingClock.Elapsed).TotalSeconds:F0} s");
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(1000, (due - placingClock.Elapsed).TotalMilliseconds)), cancellationToken);
                }

                faults.Add(await injector.InjectAsync(options.Faults[i], cancellationToken));
                loads.Add(LoadAverage.ReadAll());
            }

            await faultsDone.CancelAsync();

            while (!placing.IsCompleted)
            {
                Progress.Line($"{ledger.Accepted.Count} of {options.Orders} accepted, {ledger.Retries} retries");
                await Task.WhenAny(placing, Task.Delay(1000, cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
            }

            placed = await placing;
            Progress.Phase("final drain");
            var drainClock = Stopwatch.StartNew();
            finalDrain = await backlog.DrainAsync(ledger.AcceptedIds(), options.DrainTimeout, cancellationToken) ? drainClock.Elapsed : (TimeSpan?)null;
            Progress.Note(finalDrain is { } d ? $"every accepted order terminal {d.TotalSeconds:F1} s after the last one was placed" : "final backlog NOT drained");
            if (finalDrain is null) await stuck.NoteAsync(ledger.AcceptedIds(), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stuck.NoteAsync(ledger.AcceptedIds(), CancellationToken.None); // the run's time is up: what it leaves
            throw;
        }

        loads.Add(LoadAverage.ReadAll());

        Progress.Phase("invariants");
        // Every message still on its way is delivered: dead letters are counted once nothing is left in flight.
        var deadLetters = await DeadLettersAsync(management);
        var state = await SystemState.ReadAsync(Database, catalog.Stock.Keys.ToList());
        var invariants = InvariantCheck.Check(state, ledger, catalog.Stock, $"chaos-{runId}-", deadLetters);
        return new ChaosResult(options, startedAt, clock.Elapsed, placed, ledger.Accepted.Count, ledger.Attempts, ledger.Retries,
            client.CancelsRequested, faults, finalDrain, InvariantCheck.Outcomes(state, ledger), invariants, loads, services.LogDir);
    }

    /// <summary>
    /// Open loop: order n is placed at n / rate whatever happened to the ones before (each retries on its own), until
    /// <see cref="ChaosOptions.Orders"/> are placed and <paramref name="faultsDone"/> is cancelled (at most four times
    /// as many: the catalog's stock is sized for that). Returns how many were placed.
    /// </summary>
    private async Task<int> PlaceAsync(OrderClient client, ChaosCatalog catalog, CancellationToken faultsDone, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var orders = new List<Task>(options.Orders);
        for (var n = 0; n < ChaosCatalog.MaxOrdersFactor * options.Orders && (n < options.Orders || !faultsDone.IsCancellationRequested); n++)
        {
            var due = TimeSpan.FromSeconds(n / options.Rate);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed, cancellationToken); // pacing the client, not synchronisation
            orders.Add(client.PlaceAsync(catalog.Order(n), GiveUpAfter, cancellationToken));
        }

        await Task.WhenAll(orders);
        return orders.Count;
    }

    private static async Task SeedAsync(Uri inventory, ChaosCatalog catalog)
    {
        using var http = new HttpClient { BaseAddress = inventory, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Add("X-Api-Key", OperatorKey);
        foreach (var (sku, stock) in catalog.Stock)
        {
            using var response = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(http, "/products",
                new { sku, name = $"Chaos item {sku}", price = 2.50m, available = stock });
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>Messages in each dead-letter queue; for a non-empty one the first few are written to the progress output.</summary>
    private static async Task<IReadOnlyDictionary<string, long>> DeadLettersAsync(RabbitMqManagement management)
    {
        var queues = (await management.GetQueuesAsync(VirtualHost))
            .Where(q => q.Name.EndsWith("_error", StringComparison.Ordinal) || q.Name.EndsWith("_skipped", StringComparison.Ordinal))
            .ToDictionary(q => q.Name, q => q.Messages);
        foreach (var (queue, _) in queues.Where(q => q.Value > 0))
        {
            foreach (var message in await management.PeekAsync(VirtualHost, queue, 3)) Progress.Note($"dead letter in {queue}: {message}");
        }

        return queues;
    }

    private static async Task ResetDatabasesAsync(string server)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        foreach (var name in ServiceEnvironment.DatabaseNames)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
