using MassTransit;
using MassTransit.RabbitMqTransport.Configuration;

namespace OrderSystem.Messaging.Queues;

/// <summary>
/// Makes a service's receive endpoints the queues <see cref="ServiceQueueOptions"/> asks for. With
/// <see cref="QueueType.Quorum"/>, every durable endpoint queue <c>q</c> is declared as a quorum queue with
/// <c>x-delivery-limit</c> and dead-letters, at-least-once, into the exchange <c>q_error</c>; the exchange, the queue
/// <c>q_error</c> and their binding are declared with the endpoint at start-up (MassTransit itself declares them only
/// on the first fault, and RabbitMQ 4.x drops a message whose dead-letter target is missing). Temporary endpoints (the
/// bus's own, request clients' responses) are auto-delete or non-durable, which quorum queues cannot be: they stay classic.
/// With <see cref="QueueType.Classic"/> nothing changes, so existing brokers keep their queues.
/// </summary>
public static class ServiceQueueTopology
{
    private const string QueueTypeArgument = "x-queue-type";
    private const string DeliveryLimitArgument = "x-delivery-limit";
    private const string DeadLetterExchangeArgument = "x-dead-letter-exchange";
    private const string DeadLetterStrategyArgument = "x-dead-letter-strategy";
    private const string OverflowArgument = "x-overflow";

    /// <summary>Queue arguments this policy puts on a service queue, and takes off its error and skipped queues.</summary>
    private static readonly string[] QuorumArguments =
        [QueueTypeArgument, DeliveryLimitArgument, DeadLetterExchangeArgument, DeadLetterStrategyArgument, OverflowArgument, "x-quorum-initial-group-size"];

    /// <summary>MassTransit's error queue of an endpoint queue, which is also the name of its error exchange.</summary>
    public static string ErrorQueueOf(string queue) => queue + "_error";

    /// <summary>Applies the queue type to one receive endpoint (called for every endpoint the bus configures).</summary>
    public static void Apply(IReceiveEndpointConfigurator endpoint, string queueName, ServiceQueueOptions options)
    {
        if (options.QueueType != QueueType.Quorum) return;
        if (endpoint is not IRabbitMqReceiveEndpointConfigurator rabbit) return;
        if (endpoint is IRabbitMqReceiveEndpointConfiguration { Settings: { Durable: false } or { AutoDelete: true } or { Exclusive: true } }) return;

        rabbit.SetQuorumQueue();
        rabbit.SetQueueArgument(DeliveryLimitArgument, options.DeliveryLimit);
        // At-least-once: the quorum queue keeps the message until the error queue has confirmed it, so a dead letter is
        // never lost on the way (at-most-once, RabbitMQ's default, drops it if the target is unavailable). RabbitMQ
        // requires reject-publish overflow for it; with no length limit on these queues that changes nothing else.
        rabbit.SetQueueArgument(DeadLetterStrategyArgument, "at-least-once");
        rabbit.SetQueueArgument(OverflowArgument, "reject-publish");
        // Declares exchange q_error (fanout, durable), queue q_error and the binding when the endpoint starts, and sets
        // x-dead-letter-exchange on q: the same entities, with the same properties, that MassTransit's error transport
        // declares on the first fault (see KeepDeadLetterQueuesClassic for their arguments).
        var errorQueue = ErrorQueueOf(queueName);
        rabbit.BindDeadLetterQueue(errorQueue, errorQueue);
    }

    /// <summary>
    /// MassTransit declares <c>q_error</c> and <c>q_skipped</c> with the arguments of <c>q</c>. Those must not be quorum
    /// queues with a delivery limit: the operator tool reads a dead letter without consuming it (get, then requeue), a
    /// quorum queue counts each requeue as a failed delivery, and at the limit the dead letter would dead-letter again.
    /// So they stay classic, durable queues, whatever the endpoint's type.
    /// </summary>
    public static void KeepDeadLetterQueuesClassic(IRabbitMqBusFactoryConfigurator rabbit, ServiceQueueOptions options)
    {
        if (options.QueueType != QueueType.Quorum) return;
        rabbit.SendTopology.ConfigureErrorSettings = RemoveQuorumArguments;
        rabbit.SendTopology.ConfigureDeadLetterSettings = RemoveQuorumArguments;
    }

    private static void RemoveQuorumArguments(IRabbitMqQueueBindingConfigurator queue)
    {
        foreach (var argument in QuorumArguments) queue.SetQueueArgument(argument, null);
    }
}
