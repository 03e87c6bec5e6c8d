using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Ordering.Saga;

namespace OrderSystem.Ordering.Tests.Saga;

/// <summary>
/// The order saga on MassTransit's in-memory test harness: in-memory transport and repository, and the in-memory
/// delayed scheduler for the payment timeout (in production the durable scheduler of the messaging building block
/// delivers it). One harness per test.
/// </summary>
public sealed class OrderSagaHarness : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private OrderSagaHarness(ServiceProvider provider)
    {
        _provider = provider;
        Harness = provider.GetRequiredService<ITestHarness>();
        Saga = Harness.GetSagaStateMachineHarness<OrderStateMachine, OrderState>();
        Machine = provider.GetRequiredService<OrderStateMachine>();
    }

    public ITestHarness Harness { get; }
    public ISagaStateMachineTestHarness<OrderStateMachine, OrderState> Saga { get; }
    public OrderStateMachine Machine { get; }

    public static async Task<OrderSagaHarness> StartAsync(TimeSpan? paymentTimeout = null)
    {
        var provider = new ServiceCollection()
            .AddSingleton(Options.Create(new OrderSagaOptions { PaymentTimeout = paymentTimeout ?? TimeSpan.FromMinutes(10) }))
            .AddMassTransitTestHarness(bus =>
            {
                bus.AddDelayedMessageScheduler();
                bus.AddSagaStateMachine<OrderStateMachine, OrderState, OrderStateDefinition>().InMemoryRepository();
                bus.UsingInMemory((context, cfg) =>
                {
                    cfg.UseDelayedMessageScheduler();
                    cfg.ConfigureEndpoints(context);
                });
            })
            .BuildServiceProvider(true);
        var harness = new OrderSagaHarness(provider);
        await harness.Harness.Start();
        return harness;
    }

    public Task Publish<T>(T message) where T : class => Harness.Bus.Publish(message);

    public Task SubmitAsync(Guid orderId, string customerId = "customer-1") =>
        Publish(new OrderSubmitted(orderId, customerId, [new OrderLine("SKU-1", 2)], DateTimeOffset.UtcNow));

    /// <summary>Submits the order and has Inventory answer that it reserved it, at <paramref name="total"/>.</summary>
    public async Task SubmitAndReserveAsync(Guid orderId, decimal total = 20m)
    {
        await SubmitAsync(orderId);
        (await InState(orderId, Machine.Submitted)).ShouldBeTrue();
        await Publish(new StockReserved(orderId, [new PricedLine("SKU-1", 2, total / 2)], total));
        (await InState(orderId, Machine.StockReserved)).ShouldBeTrue();
    }

    /// <summary>Waits (up to the harness's timeout) for the instance to be in <paramref name="state"/>.</summary>
    public async Task<bool> InState(Guid orderId, State state) => await Saga.Exists(orderId, _ => state) is not null;

    public OrderState Instance(Guid orderId) =>
        Saga.Sagas.Contains(orderId) ?? throw new InvalidOperationException($"No saga instance for {orderId}.");

    public Task<bool> Published<T>(Guid orderId, Func<T, Guid> id) where T : class =>
        Harness.Published.Any<T>(x => id(x.Context.Message) == orderId);

    public int PublishedCount<T>(Guid orderId, Func<T, Guid> id) where T : class =>
        Harness.Published.Select<T>(x => id(x.Context.Message) == orderId).Count();

    public async ValueTask DisposeAsync()
    {
        await Harness.Stop();
        await _provider.DisposeAsync();
    }
}
