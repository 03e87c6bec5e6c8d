using MassTransit;
using MassTransit.Middleware.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.BusOutbox;
using OrderSystem.Messaging.Delivery;

namespace OrderSystem.Messaging.Scheduling;

/// <summary>
/// Schedules in a unit of work of its own: a fresh scope and <typeparamref name="TDbContext"/>, saved at once. Used where
/// no transaction of the caller exists to join, i.e. delayed redelivery, which runs after the consumer's transaction
/// rolled back.
/// </summary>
internal sealed class CommittingScheduleMessageProvider<TDbContext>(IServiceProvider root, ISendEndpointProvider transportEndpoints)
    : IScheduleMessageProvider
    where TDbContext : DbContext
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        await using var scope = root.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        var outbox = new BusOutboxContext<TDbContext>(db, scope.ServiceProvider);
        var provider = new DbContextScheduleMessageProvider(new OutboxSendEndpointProvider(outbox, transportEndpoints), db);
        var handle = await provider.ScheduleSend(destinationAddress, scheduledTime, message, pipe, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        root.GetRequiredService<OutboxDeliverySignal<TDbContext>>().Notify();
        return handle;
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    private async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        await using var scope = root.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        await new DbContextScheduleMessageProvider(NoEndpoints.Instance, db).CancelScheduledSend(tokenId, cancellationToken);
    }

    private sealed class NoEndpoints : ISendEndpointProvider
    {
        public static readonly NoEndpoints Instance = new();
        public ConnectHandle ConnectSendObserver(ISendObserver observer) => throw new NotSupportedException();
        public Task<ISendEndpoint> GetSendEndpoint(Uri address) => throw new NotSupportedException();
    }
}
