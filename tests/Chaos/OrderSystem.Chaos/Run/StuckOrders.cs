using Npgsql;
using OrderSystem.SystemProcesses.Broker;
using OrderSystem.SystemProcesses.Console;

namespace OrderSystem.Chaos.Run;

/// <summary>
/// What a backlog that did not drain leaves to look at, written as progress notes: a few of the orders that are not
/// terminal with their saga's state, and every queue of the run's vhost that still holds messages (ready and
/// unacknowledged), and with how many consumers (the management API's figures, a few seconds old). Enough to tell a
/// message that waits in a queue from one that is gone.
/// </summary>
public sealed class StuckOrders(OrderBacklog backlog, RabbitMqManagement management, string virtualHost)
{
    private const int Shown = 5;

    public async Task NoteAsync(IReadOnlyList<Guid> ids, CancellationToken cancellationToken)
    {
        try
        {
            var notTerminal = await backlog.NotTerminalAsync(ids, Shown, cancellationToken);
            if (notTerminal.Count == 0) Progress.Note($"every one of the {ids.Count} accepted orders is terminal");
            foreach (var (id, state) in notTerminal) Progress.Note($"not terminal: order {id} ({state ?? "no saga row"})");
            var holding = (await management.GetQueuesAsync(virtualHost)).Where(q => q.Messages > 0).ToList();
            Progress.Note(holding.Count == 0
                ? "no queue holds a message"
                : "queues holding messages: " + string.Join(", ", holding.Select(q =>
                    $"{q.Name} ({q.MessagesReady} ready, {q.MessagesUnacknowledged} unacked, {q.Consumers} consumers)")));
        }
        catch (Exception e) when (e is NpgsqlException or HttpRequestException)
        {
            Progress.Note($"could not look at the stuck orders: {e.Message}");
        }
    }
}
