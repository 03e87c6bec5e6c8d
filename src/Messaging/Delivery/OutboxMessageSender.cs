using MassTransit;
using MassTransit.Middleware;
using OrderSystem.Messaging.CrashTesting;
using OrderSystem.Messaging.Diagnostics;
using OrderSystem.Messaging.Storage;

namespace OrderSystem.Messaging.Delivery;

/// <summary>
/// Hands one stored message to the broker: same message id, headers and body as when it was written, no transport
/// delay (a scheduled message is sent when due), under an activity that continues the producer's trace.
/// </summary>
internal static class OutboxMessageSender
{
    /// <summary>
    /// Sends rows in the given order, stopping at the first failure: the sequence numbers sent, and that failure.
    /// <paramref name="sentPoint"/> is the crash point after each confirmed send. A send the broker has not confirmed
    /// within <paramref name="sendTimeout"/> is a failure (<see cref="TimeoutException"/>), even if the transport
    /// ignores the cancellation: the loop must not wait for ever on a confirm that a dropped connection will never bring.
    /// </summary>
    public static async Task<(List<long> Sent, Exception? Failure)> SendInOrderAsync(ISendEndpointProvider endpoints,
        IEnumerable<OutboxMessage> rows, string outbox, string sentPoint, TimeSpan sendTimeout, CancellationToken cancellationToken)
    {
        var sent = new List<long>();
        foreach (var row in rows)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(sendTimeout);
            try
            {
                await SendAsync(endpoints, row, outbox, timeout.Token).WaitAsync(timeout.Token);
                CrashPoint.Reach(sentPoint);
                sent.Add(row.SequenceNumber);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return (sent, new TimeoutException(
                    $"The broker did not confirm outbox message {row.SequenceNumber} ({row.MessageId}) within {sendTimeout.TotalSeconds:0.#} s."));
            }
            catch (Exception e)
            {
                return (sent, e);
            }
        }

        return (sent, null);
    }

    public static async Task SendAsync(ISendEndpointProvider endpoints, OutboxMessage row, string outbox, CancellationToken cancellationToken)
    {
        var message = new StoredOutboxMessage(row);
        var destination = message.DestinationAddress
            ?? throw new InvalidOperationException($"Outbox message {row.SequenceNumber} ({row.MessageId}) has no destination address.");

        using var activity = TraceCarrier.StartDelivery("outbox deliver", message.RawHeaders, row.DestinationAddress);
        activity?.SetTag("messaging.message.id", row.MessageId.ToString());
        activity?.SetTag("ordersystem.outbox", outbox);

        var endpoint = await endpoints.GetSendEndpoint(destination);
        await endpoint.Send(new OutboxEnvelope(), new ReplayPipe(message, destination), cancellationToken);
        MessagingTelemetry.Delivered.Add(1, new KeyValuePair<string, object?>("outbox", outbox));
    }

    /// <summary>MassTransit's replay of a stored message, minus the transport delay and the stale trace headers.</summary>
    private sealed class ReplayPipe(StoredOutboxMessage message, Uri destination) : IPipe<SendContext>
    {
        private readonly OutboxMessageSendPipe _inner = new(message, destination);

        public async Task Send(SendContext context)
        {
            await _inner.Send(context);
            context.Delay = null;
            context.Headers.Set(MessageHeaders.SchedulingTokenId, message.Row.ScheduleTokenId?.ToString("N"));
            context.Headers.Set(TraceCarrier.TraceParent, null);
            context.Headers.Set(TraceCarrier.TraceState, null);
            context.Headers.Set(TraceCarrier.Baggage, null);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("outboxReplay");
    }
}
