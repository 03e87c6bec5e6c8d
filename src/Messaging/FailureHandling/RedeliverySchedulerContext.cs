using MassTransit;

namespace OrderSystem.Messaging.FailureHandling;

/// <summary>
/// A <see cref="MessageSchedulerContext"/> that needs no consume context: scheduling "to this endpoint" means to
/// <paramref name="inputAddress"/>; everything else is delegated to <paramref name="scheduler"/>.
/// </summary>
internal sealed class RedeliverySchedulerContext(Lazy<IMessageScheduler> scheduler, Uri inputAddress) : MessageSchedulerContext
{
    private IMessageScheduler S => scheduler.Value;

    public MessageSchedulerFactory SchedulerFactory => _ => S;

    public Task<ScheduledMessage<T>> ScheduleSend<T>(DateTime scheduledTime, T message, CancellationToken cancellationToken) where T : class =>
        S.ScheduleSend(inputAddress, scheduledTime, message, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class => S.ScheduleSend(inputAddress, scheduledTime, message, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(DateTime scheduledTime, T message, IPipe<SendContext> pipe, CancellationToken cancellationToken)
        where T : class => S.ScheduleSend(inputAddress, scheduledTime, message, pipe, cancellationToken);

    public Task<ScheduledMessage> ScheduleSend(DateTime scheduledTime, object message, CancellationToken cancellationToken) =>
        S.ScheduleSend(inputAddress, scheduledTime, message, cancellationToken);

    public Task<ScheduledMessage> ScheduleSend(DateTime scheduledTime, object message, Type messageType, CancellationToken cancellationToken) =>
        S.ScheduleSend(inputAddress, scheduledTime, message, messageType, cancellationToken);

    public Task<ScheduledMessage> ScheduleSend(DateTime scheduledTime, object message, IPipe<SendContext> pipe, CancellationToken cancellationToken) =>
        S.ScheduleSend(inputAddress, scheduledTime, message, pipe, cancellationToken);

    public Task<ScheduledMessage> ScheduleSend(DateTime scheduledTime, object message, Type messageType, IPipe<SendContext> pipe,
        CancellationToken cancellationToken) => S.ScheduleSend(inputAddress, scheduledTime, message, messageType, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(DateTime scheduledTime, object values, CancellationToken cancellationToken) where T : class =>
        S.ScheduleSend<T>(inputAddress, scheduledTime, values, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(DateTime scheduledTime, object values, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class => S.ScheduleSend(inputAddress, scheduledTime, values, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(DateTime scheduledTime, object values, IPipe<SendContext> pipe, CancellationToken cancellationToken)
        where T : class => S.ScheduleSend<T>(inputAddress, scheduledTime, values, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, CancellationToken cancellationToken)
        where T : class => S.ScheduleSend(destinationAddress, scheduledTime, message, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken) where T : class => S.ScheduleSend(destinationAddress, scheduledTime, message, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext> pipe,
        CancellationToken cancellationToken) where T : class => S.ScheduleSend(destinationAddress, scheduledTime, message, pipe, cancellationToken);

    public Task<ScheduledMessage> ScheduleSend(Uri destinationAddress, DateTime scheduledTime, object message, CancellationToken cancellationToken) =>
        S.ScheduleSend(destinationAddress, scheduledTime, message, cancellationToken);

    public Task<ScheduledMessage> ScheduleSend(Uri destinationAddress, DateTime scheduledTime, object message, Type messageType,
        CancellationToken cancellationToken) => S.ScheduleSend(destinationAddress, scheduledTime, message, messageType, cancellationToken);

    public Task<ScheduledMessage> ScheduleSend(Uri destinationAddress, DateTime scheduledTime, object message, IPipe<SendContext> pipe,
        CancellationToken cancellationToken) => S.ScheduleSend(destinationAddress, scheduledTime, message, pipe, cancellationToken);

    public Task<ScheduledMessage> ScheduleSend(Uri destinationAddress, DateTime scheduledTime, object message, Type messageType, IPipe<SendContext> pipe,
        CancellationToken cancellationToken) => S.ScheduleSend(destinationAddress, scheduledTime, message, messageType, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, object values, CancellationToken cancellationToken)
        where T : class => S.ScheduleSend<T>(destinationAddress, scheduledTime, values, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, object values, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken) where T : class => S.ScheduleSend(destinationAddress, scheduledTime, values, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, object values, IPipe<SendContext> pipe,
        CancellationToken cancellationToken) where T : class => S.ScheduleSend<T>(destinationAddress, scheduledTime, values, pipe, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) =>
        S.CancelScheduledSend(destinationAddress, tokenId, cancellationToken);

    public Task<ScheduledMessage<T>> SchedulePublish<T>(DateTime scheduledTime, T message, CancellationToken cancellationToken) where T : class =>
        S.SchedulePublish(scheduledTime, message, cancellationToken);

    public Task<ScheduledMessage<T>> SchedulePublish<T>(DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class => S.SchedulePublish(scheduledTime, message, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> SchedulePublish<T>(DateTime scheduledTime, T message, IPipe<SendContext> pipe, CancellationToken cancellationToken)
        where T : class => S.SchedulePublish(scheduledTime, message, pipe, cancellationToken);

    public Task<ScheduledMessage> SchedulePublish(DateTime scheduledTime, object message, CancellationToken cancellationToken) =>
        S.SchedulePublish(scheduledTime, message, cancellationToken);

    public Task<ScheduledMessage> SchedulePublish(DateTime scheduledTime, object message, Type messageType, CancellationToken cancellationToken) =>
        S.SchedulePublish(scheduledTime, message, messageType, cancellationToken);

    public Task<ScheduledMessage> SchedulePublish(DateTime scheduledTime, object message, IPipe<SendContext> pipe, CancellationToken cancellationToken) =>
        S.SchedulePublish(scheduledTime, message, pipe, cancellationToken);

    public Task<ScheduledMessage> SchedulePublish(DateTime scheduledTime, object message, Type messageType, IPipe<SendContext> pipe,
        CancellationToken cancellationToken) => S.SchedulePublish(scheduledTime, message, messageType, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> SchedulePublish<T>(DateTime scheduledTime, object values, CancellationToken cancellationToken) where T : class =>
        S.SchedulePublish<T>(scheduledTime, values, cancellationToken);

    public Task<ScheduledMessage<T>> SchedulePublish<T>(DateTime scheduledTime, object values, IPipe<SendContext<T>> pipe, CancellationToken cancellationToken)
        where T : class => S.SchedulePublish(scheduledTime, values, pipe, cancellationToken);

    public Task<ScheduledMessage<T>> SchedulePublish<T>(DateTime scheduledTime, object values, IPipe<SendContext> pipe, CancellationToken cancellationToken)
        where T : class => S.SchedulePublish<T>(scheduledTime, values, pipe, cancellationToken);

    public Task CancelScheduledPublish<T>(Guid tokenId, CancellationToken cancellationToken) where T : class =>
        S.CancelScheduledPublish<T>(tokenId, cancellationToken);

    public Task CancelScheduledPublish(Type messageType, Guid tokenId, CancellationToken cancellationToken) =>
        S.CancelScheduledPublish(messageType, tokenId, cancellationToken);
}
