using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.JobService;
using MassTransit.Middleware;
using MassTransit.Transports;
using OrderSystem.Messaging.ConsumerOutbox;

namespace OrderSystem.Messaging.Bus;

/// <summary>
/// Puts the consumer outbox + inbox in front of each message a saga on the endpoint consumes, as MassTransit's
/// <c>OutboxConsumePipeSpecificationObserver</c> does for consumers (same filter, same inbox consumer id for a message),
/// with <see cref="SagaOutboxConsumeOptions"/>: on a saga's message the inbox insert rides with the repository's load.
/// </summary>
internal sealed class EntityFrameworkSagaOutboxObserver<TDbContext>(IReceiveEndpointConfigurator endpoint, IRegistrationContext context, int messageDeliveryLimit)
    : ISagaConfigurationObserver
    where TDbContext : class
{
    /// <summary>MassTransit's observer gives the outbox 30 s to hand a produced message to the broker; the same here.</summary>
    private static readonly TimeSpan MessageDeliveryTimeout = TimeSpan.FromSeconds(30);

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class
    {
        if (configurator is not ISagaMessageConfigurator<TMessage> message)
            throw new ConfigurationException($"The consumer outbox cannot be added to {typeof(TSaga).Name}'s {typeof(TMessage).Name}.");

        // The inbox row's consumer id must be MassTransit's for (saga, message, queue): rows written before this observer
        // existed, and by any other process on the queue, are found by it.
        var options = new SagaOutboxConsumeOptions
        {
            ConsumerId = JobMetadataCache<TSaga, TMessage>.GenerateJobTypeId(endpoint.InputAddress.GetEndpointName()!),
            ConsumerType = TypeCache<TSaga>.ShortName,
            MessageDeliveryLimit = messageDeliveryLimit,
            MessageDeliveryTimeout = MessageDeliveryTimeout,
        };
        var filter = new OutboxConsumeFilter<TDbContext, TMessage>(new ConsumeScopeProvider(context), options);
        message.AddPipeSpecification(new FilterPipeSpecification<ConsumeContext<TMessage>>(filter));
    }
}
