using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Microsoft.EntityFrameworkCore;

namespace OrderSystem.Messaging.BusOutbox;

/// <summary>
/// Replaces MassTransit's scoped bus context: inside a consumer the scope keeps using the consume context (whose sends
/// the consumer outbox captures); anywhere else the scope's <c>IPublishEndpoint</c> and <c>ISendEndpointProvider</c>
/// write to <typeparamref name="TDbContext"/> through <see cref="BusOutboxContext{TDbContext}"/>.
/// Request clients are not transactional and go straight to the broker.
/// </summary>
public sealed class EntityFrameworkScopedBusContextProvider<TDbContext>(
    IBus bus,
    Bind<IBus, IClientFactory> clientFactory,
    IScopedConsumeContextProvider consumeContextProvider,
    BusOutboxContext<TDbContext> outbox,
    IServiceProvider provider) : IScopedBusContextProvider<IBus>
    where TDbContext : DbContext
{
    private ScopedBusContext? _outboxContext;

    public ScopedBusContext Context => consumeContextProvider.HasContext
        ? new ConsumeContextScopedBusContext<IBus>(bus, consumeContextProvider.GetContext(), clientFactory.Value, provider)
        : _outboxContext ??= new EntityFrameworkScopedBusContext(bus, outbox, clientFactory.Value, provider);

    private sealed class EntityFrameworkScopedBusContext(IBus bus, BusOutboxContext<TDbContext> outbox, IClientFactory clientFactory, IServiceProvider provider)
        : ScopedBusContext
    {
        private readonly BusScopedBusContext<IBus> _direct = new(bus, clientFactory, provider);

        public ISendEndpointProvider SendEndpointProvider { get; } = new OutboxSendEndpointProvider(outbox, bus);

        public IPublishEndpoint PublishEndpoint { get; } = new PublishEndpoint(new OutboxPublishEndpointProvider(outbox, bus));

        public IScopedClientFactory ClientFactory => _direct.ClientFactory;
    }
}
