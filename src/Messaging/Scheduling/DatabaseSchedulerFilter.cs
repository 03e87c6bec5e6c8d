using MassTransit;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace OrderSystem.Messaging.Scheduling;

/// <summary>
/// Receive filter that gives every received message a <see cref="MessageSchedulerContext"/> backed by the database
/// (<see cref="CommittingScheduleMessageProvider{TDbContext}"/>). It sits on the receive context, below every consume
/// filter, so MassTransit's scheduled redelivery finds it even though redelivery runs outside everything else.
/// Inside the consumer outbox the outbox context answers with its own, transactional scheduler instead.
/// </summary>
internal sealed class DatabaseSchedulerFilter<TDbContext>(IServiceProvider root) : IFilter<ReceiveContext>
    where TDbContext : DbContext
{
    public Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() => new DatabaseMessageSchedulerContext(
            new Lazy<IMessageScheduler>(() => new MessageScheduler(
                new CommittingScheduleMessageProvider<TDbContext>(root, context.SendEndpointProvider),
                root.GetRequiredService<IBus>().Topology)),
            context.InputAddress));
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("databaseScheduler");
}
