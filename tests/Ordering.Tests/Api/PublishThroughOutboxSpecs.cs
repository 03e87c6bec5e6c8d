using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Ordering.Orders;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Testing.Infrastructure;
using OrderSystem.Testing.Polling;
using RabbitMQ.Client;

namespace OrderSystem.Ordering.Tests.Api;

/// <summary>
/// The Ordering API publishes only through the bus outbox: when the order's save fails (a command fails, or the commit
/// itself) the client gets an error and no <c>OrderSubmitted</c> reaches the broker. A spy queue bound to the
/// OrderSubmitted exchange sees every publish; an order accepted afterwards marks the point by which a message sent
/// straight to the broker, before the commit, would have arrived.
/// </summary>
public sealed class PublishThroughOutboxSpecs(PublishThroughOutboxSpecs.Fixture service) : IClassFixture<PublishThroughOutboxSpecs.Fixture>
{
    [Theory]
    [InlineData(FailingOrderSaves.Where.Insert)]
    [InlineData(FailingOrderSaves.Where.Commit)]
    public async Task A_failed_or_rolled_back_order_save_publishes_nothing(FailingOrderSaves.Where where)
    {
        var doomed = $"doomed-{where}-{Guid.NewGuid():N}";
        service.Faults.Doom(doomed, where);

        var status = await service.TryPostOrderAsync(doomed);
        status.ShouldNotBe(HttpStatusCode.Accepted);
        service.Faults.Failed(doomed).ShouldBe(1, "the order's save failed where the test said");
        (await service.WithDb(db => db.Orders.CountAsync(o => o.CustomerId == doomed))).ShouldBe(0, "rolled back");

        var marker = $"marker-{Guid.NewGuid():N}";
        (await service.TryPostOrderAsync(marker)).ShouldBe(HttpStatusCode.Accepted);
        var published = await Eventually.Get(() => service.Spy.CustomersAsync(), c => c.Contains(marker), "the next order's OrderSubmitted on the broker");
        published.ShouldNotContain(doomed, "an order whose save failed published OrderSubmitted");
    }

    public sealed class Fixture : IAsyncLifetime
    {
        private readonly IsolatedEnvironment _environment = new();
        private WebApplicationFactory<OrderingDbContext> _factory = null!;
        private HttpClient _client = null!;

        public FailingOrderSaves Faults { get; } = new();
        public PublishedOrders Spy { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await _environment.InitializeAsync();
            Spy = await PublishedOrders.StartAsync(_environment.RabbitMqUri);
            var orderdb = await _environment.CreateDatabaseAsync("orderdb");
            _factory = new WebApplicationFactory<OrderingDbContext>().WithWebHostBuilder(host =>
            {
                host.UseSetting("ConnectionStrings:orderdb", orderdb);
                host.UseSetting("ConnectionStrings:messaging", _environment.RabbitMqUri.ToString());
                host.ConfigureTestServices(services => services.ConfigureDbContext<OrderingDbContext>(o => o.AddInterceptors(Faults)));
            });
            _client = _factory.CreateClient();
        }

        public async Task<HttpStatusCode?> TryPostOrderAsync(string customerId)
        {
            try
            {
                using var response = await _client.PostAsJsonAsync("/orders", new { customerId, lines = new[] { new { sku = "KEYBOARD-01", quantity = 1 } } });
                return response.StatusCode;
            }
            catch (Exception) // the test server may hand the handler's exception to the client instead of a 500
            {
                return null;
            }
        }

        public async Task<T> WithDb<T>(Func<OrderingDbContext, Task<T>> work)
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            return await work(scope.ServiceProvider.GetRequiredService<OrderingDbContext>());
        }

        public async Task DisposeAsync()
        {
            _client.Dispose();
            await _factory.DisposeAsync();
            await Spy.DisposeAsync();
            await _environment.DisposeAsync();
        }
    }
}

/// <summary>Makes the save of a doomed customer's order fail: its INSERT command, or the commit of its transaction.</summary>
public sealed class FailingOrderSaves : DbCommandInterceptor, IDbTransactionInterceptor, ISaveChangesInterceptor
{
    public enum Where { Insert, Commit }

    private readonly Dictionary<string, Where> _doomed = [];
    private readonly Dictionary<string, int> _failed = [];
    private readonly ConditionalWeakTable<DbContext, string> _saving = new();

    public void Doom(string customerId, Where where)
    {
        lock (_doomed) _doomed[customerId] = where;
    }

    public int Failed(string customerId)
    {
        lock (_doomed) return _failed.GetValueOrDefault(customerId);
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db)
        {
            var customer = db.ChangeTracker.Entries<Order>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.CustomerId)
                .FirstOrDefault(c => Doomed(c) is not null);
            if (customer is not null) _saving.AddOrUpdate(db, customer);
            else _saving.Remove(db);
        }
        return ValueTask.FromResult(result);
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && _saving.TryGetValue(db, out var customer) && Doomed(customer) == Where.Insert
            && command.CommandText.Contains("INSERT INTO orders", StringComparison.OrdinalIgnoreCase))
            throw Fail(db, customer, "the order's INSERT failed on purpose");
        return ValueTask.FromResult(result);
    }

    public ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && _saving.TryGetValue(db, out var customer) && Doomed(customer) == Where.Commit)
            throw Fail(db, customer, "the order's COMMIT failed on purpose");
        return ValueTask.FromResult(result);
    }

    private Where? Doomed(string customerId)
    {
        lock (_doomed) return _doomed.TryGetValue(customerId, out var where) ? where : null;
    }

    // The DbContext is pooled: forget it once its save has failed, or the next user of the same instance (the bus outbox's
    // delivery loop, say) would fail its own commit on the doomed customer's account.
    private InvalidOperationException Fail(DbContext db, string customerId, string what)
    {
        _saving.Remove(db);
        lock (_doomed) _failed[customerId] = _failed.GetValueOrDefault(customerId) + 1;
        return new InvalidOperationException(what);
    }
}

/// <summary>A queue of our own bound to the OrderSubmitted exchange: the customer of every OrderSubmitted the broker received.</summary>
public sealed class PublishedOrders : IAsyncDisposable
{
    private const string Exchange = "OrderSystem.Contracts.Ordering:OrderSubmitted";
    private const string Queue = "spy-order-submitted";
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly List<string> _customers = [];

    private PublishedOrders(IConnection connection, IChannel channel) => (_connection, _channel) = (connection, channel);

    public static async Task<PublishedOrders> StartAsync(Uri broker)
    {
        var connection = await new ConnectionFactory { Uri = broker }.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true); // as MassTransit declares it
        await channel.QueueDeclareAsync(Queue, durable: false, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync(Queue, Exchange, "");
        return new PublishedOrders(connection, channel);
    }

    public async Task<IReadOnlyList<string>> CustomersAsync()
    {
        while (await _channel.BasicGetAsync(Queue, autoAck: true) is { } message)
        {
            using var json = JsonDocument.Parse(Encoding.UTF8.GetString(message.Body.Span));
            _customers.Add(json.RootElement.GetProperty("message").GetProperty("customerId").GetString()!);
        }
        return _customers.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
