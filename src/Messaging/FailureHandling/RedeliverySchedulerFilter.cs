using MassTransit;
using MassTransit.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// Receive filter that gives every received message a <see cref="MessageSchedulerContext"/> backed by the database
/// (<see cref="RedeliveryScheduleMessageProvider{TDbContext}"/>). It sits on the receive context, below every consume
/// filter, so MassTransit's scheduled redelivery finds it even though redelivery runs outside everything else.
/// Inside the consumer outbox the outbox context answers with its own, transactional scheduler instead.
/// </summary>
internal sealed class RedeliverySchedulerFilter<TDbContext>(IServiceProvider root) : IFilter<ReceiveContext>
    where TDbContext : DbContext
{
    public Task Send(ReceiveContext context, IPipe<ReceiveContext> next)
    {
        context.GetOrAddPayload<MessageSchedulerContext>(() => new RedeliverySchedulerContext(
            new Lazy<IMessageScheduler>(() => new MessageScheduler(
                new RedeliveryScheduleMessageProvider<TDbContext>(root, context.SendEndpointProvider),
                root.GetRequiredService<IBus>().Topology)),
            context.InputAddress));
        return next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("databaseScheduler");
}
