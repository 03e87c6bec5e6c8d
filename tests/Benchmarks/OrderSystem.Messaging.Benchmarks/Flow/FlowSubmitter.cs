using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OrderSystem.Messaging.Benchmarks.Contracts;

namespace OrderSystem.Messaging.Benchmarks.Flow;

/// <summary>The API's part of a flow: the order's transaction and its event (through the bus outbox when the variant has one).</summary>
internal sealed class FlowSubmitter(IServiceProvider services, FlowVariant variant, FlowTransactions transactions, FlowTracker tracker)
{
    private readonly IBus _bus = services.GetRequiredService<IBus>();

    public FlowTracker Tracker => tracker;

    public async Task SubmitAsync(int sequence)
    {
        tracker.Submitted(sequence);
        if (variant == FlowVariant.ConsumerOutbox)
        {
            await using var scope = services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IPublishEndpoint>().Publish(new FlowSubmitted(sequence));
            await scope.ServiceProvider.GetRequiredService<BenchDbContext>().SaveChangesAsync();
            return;
        }

        await transactions.CommitAsync(sequence, "submit", CancellationToken.None);
        await _bus.Publish(new FlowSubmitted(sequence));
    }
}
