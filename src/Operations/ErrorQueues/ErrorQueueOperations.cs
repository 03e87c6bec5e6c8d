using OrderSystem.Operations.Connection;

namespace OrderSystem.Operations.ErrorQueues;

/// <summary>
/// The error-queue operations as a library, for <c>ordersystem-ops</c> and for any other process (the AppHost's dashboard
/// commands): list the dead-letter queues (<c>_error</c> and <c>_skipped</c>) of a vhost, group their messages by cause,
/// re-drive or purge a queue or a group. Each call opens its own AMQP connection and closes it before returning; an
/// instance holds only addresses, so it can be kept and shared.
/// <para>
/// Safety, the same for every caller: messages are read without consuming them (held unacknowledged, then returned in
/// place); a re-drive publishes with publisher confirms and acknowledges only after the confirm; messages that are not
/// selected keep their order, headers and body (see docs/operations.md). Confirmation of a purge is the caller's job.
/// Failures an operator can act on are <see cref="CommandFailedException"/>s with a one-line message, without passwords.
/// </para>
/// </summary>
public sealed class ErrorQueueOperations(BrokerAddress broker, ManagementAddress? management = null)
{
    /// <summary>
    /// From the strings a service gets: the AMQP URI with credentials (<c>ConnectionStrings__messaging</c>), the
    /// management API URL with credentials (needed to list queues and for everything by group), and the vhost (default:
    /// the URI's).
    /// </summary>
    public static ErrorQueueOperations Create(string brokerUri, string? managementUrl = null, string? virtualHost = null)
    {
        var address = BrokerAddress.Parse(brokerUri, "the broker URI");
        if (!string.IsNullOrEmpty(virtualHost)) address = address with { VirtualHost = virtualHost };
        return new ErrorQueueOperations(address, managementUrl is null ? null : ManagementAddress.Parse(managementUrl, "the management URL"));
    }

    public BrokerAddress Broker { get; } = broker;
    public string VirtualHost => Broker.VirtualHost;

    /// <summary>The <c>_error</c> and <c>_skipped</c> queues of the vhost with their depths (management API figures), by name.</summary>
    public Task<IReadOnlyList<QueueSummary>> ListQueuesAsync(CancellationToken cancellationToken = default) =>
        ListQueuesAsync(RequireManagement(), VirtualHost, cancellationToken);

    /// <summary>The same, with the management API alone (no AMQP address needed).</summary>
    public static async Task<IReadOnlyList<QueueSummary>> ListQueuesAsync(ManagementAddress management, string virtualHost,
        CancellationToken cancellationToken = default)
    {
        using var client = new ManagementApiClient(management);
        return (await client.GetQueuesAsync(virtualHost, cancellationToken))
            .Where(q => DeadLetterQueueNames.IsDeadLetterQueue(q.Name))
            .OrderBy(q => q.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Every message of every dead-letter queue of the vhost, read without consuming, grouped by
    /// <see cref="FailureGroupKey"/>: largest group first.
    /// </summary>
    public async Task<IReadOnlyList<FailureGroup>> ListGroupsAsync(CancellationToken cancellationToken = default)
    {
        var queues = await ListQueuesAsync(cancellationToken);
        await using var channel = await ErrorQueueChannel.OpenAsync(Broker, cancellationToken);
        var groups = new List<FailureGroup>();
        foreach (var queue in queues)
        {
            var messages = await channel.TakeAsync(queue.Name, max: null, cancellationToken);
            await channel.ReleaseAsync(cancellationToken);
            groups.AddRange(FailureGroup.Of(messages));
        }

        return groups.OrderByDescending(g => g.Count).ThenBy(g => g.Queue, StringComparer.Ordinal).ThenBy(g => g.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Moves the messages of <paramref name="queue"/> that <paramref name="selector"/> matches back to the queue each
    /// failed in. <paramref name="onMoved"/> is called after each confirmed move (or each would-be move on a dry run).
    /// </summary>
    public async Task<RedriveResult> RedriveAsync(string queue, MessageSelector selector, bool dryRun = false,
        Func<RedrivenMessage, Task>? onMoved = null, CancellationToken cancellationToken = default)
    {
        await using var channel = await ErrorQueueChannel.OpenAsync(Broker, cancellationToken);
        var messages = await channel.TakeAsync(queue, max: null, cancellationToken);
        var result = await MoveAsync(channel, queue, messages, selector.Matches, dryRun, onMoved, cancellationToken);
        var notFound = selector.MessageIds
            .Where(id => !messages.Any(m => string.Equals(m.MessageId, id, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        return result with { NotFound = notFound };
    }

    /// <summary>Moves every message of the group back to the queue it failed in; <see cref="CommandFailedException"/> if there is no such group.</summary>
    public async Task<RedriveResult> RedriveGroupAsync(string groupId, bool dryRun = false,
        Func<RedrivenMessage, Task>? onMoved = null, CancellationToken cancellationToken = default)
    {
        await using var channel = await ErrorQueueChannel.OpenAsync(Broker, cancellationToken);
        var (queue, messages) = await TakeGroupAsync(channel, groupId, cancellationToken);
        return await MoveAsync(channel, queue, messages, m => InGroup(m, groupId), dryRun, onMoved, cancellationToken);
    }

    /// <summary>Deletes every message of the queue.</summary>
    public async Task<PurgeResult> PurgeAsync(string queue, CancellationToken cancellationToken = default)
    {
        await using var channel = await ErrorQueueChannel.OpenAsync(Broker, cancellationToken);
        var purged = await channel.PurgeAsync(queue, cancellationToken);
        return new PurgeResult(queue, purged, await channel.GetDepthAsync(queue, cancellationToken));
    }

    /// <summary>
    /// Deletes exactly the messages of the group; the others of its queue stay, in order. <see cref="CommandFailedException"/>
    /// if there is no such group.
    /// </summary>
    public async Task<PurgeResult> PurgeGroupAsync(string groupId, CancellationToken cancellationToken = default)
    {
        await using var channel = await ErrorQueueChannel.OpenAsync(Broker, cancellationToken);
        var (queue, messages) = await TakeGroupAsync(channel, groupId, cancellationToken);
        var purged = 0;
        foreach (var message in messages.Where(m => InGroup(m, groupId)))
        {
            await channel.DeleteAsync(message, cancellationToken);
            purged++;
        }

        await channel.ReleaseAsync(cancellationToken);
        return new PurgeResult(queue, purged, messages.Count - purged);
    }

    private static bool InGroup(ErrorQueueMessage message, string groupId) =>
        string.Equals(FailureGroupKey.Of(message).Id, groupId, StringComparison.OrdinalIgnoreCase);

    /// <summary>Holds the whole dead-letter queue that holds the group (a group lives in one queue), released ones looked at before.</summary>
    private async Task<(string Queue, IReadOnlyList<ErrorQueueMessage> Messages)> TakeGroupAsync(ErrorQueueChannel channel, string groupId,
        CancellationToken cancellationToken)
    {
        foreach (var queue in await ListQueuesAsync(cancellationToken))
        {
            var messages = await channel.TakeAsync(queue.Name, max: null, cancellationToken);
            if (messages.Any(m => InGroup(m, groupId))) return (queue.Name, messages);
            await channel.ReleaseAsync(cancellationToken);
        }

        throw new CommandFailedException($"no failure group '{groupId}' in vhost '{VirtualHost}' (list them with: error-queues groups)");
    }

    private static async Task<RedriveResult> MoveAsync(ErrorQueueChannel channel, string queue, IReadOnlyList<ErrorQueueMessage> messages,
        Func<ErrorQueueMessage, bool> selected, bool dryRun, Func<RedrivenMessage, Task>? onMoved, CancellationToken cancellationToken)
    {
        var moved = new List<RedrivenMessage>();
        var now = DateTimeOffset.UtcNow;
        foreach (var message in messages.Where(selected))
        {
            if (!dryRun) await channel.MoveAsync(message, message.SourceQueue, RedriveProperties.For(message, now), cancellationToken);
            var entry = new RedrivenMessage(message.MessageId, message.ShortType, message.SourceQueue);
            moved.Add(entry);
            if (onMoved is not null) await onMoved(entry);
        }

        await channel.ReleaseAsync(cancellationToken);
        return new RedriveResult(queue, moved, messages.Count - (dryRun ? 0 : moved.Count), dryRun, []);
    }

    private ManagementAddress RequireManagement() => management
        ?? throw CommandFailedException.Usage(
            $"no management API address: pass --management http://user:password@host:port or set {ConnectionOptions.ManagementVariable}");
}
