namespace OrderSystem.Operations.ErrorQueues;

/// <summary>What RabbitMQ's dead-letter reasons (<c>x-first-death-reason</c>) mean for an operator.</summary>
public static class BrokerDeadLetterReasons
{
    public const string DeliveryLimit = "delivery_limit";

    public static string Describe(string reason) => reason switch
    {
        DeliveryLimit => "delivery limit reached: the quorum queue handed it out too often without an acknowledgement " +
                         "(the consuming process died, or lost its connection, while it held the message); no consumer saw an exception",
        "rejected" => "rejected by a consumer without requeue",
        "expired" => "its time-to-live ran out in the queue",
        "maxlen" => "the queue was over its length limit",
        _ => $"dead-lettered by RabbitMQ ({reason})",
    };
}
