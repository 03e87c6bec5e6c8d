using System.Collections.Concurrent;

namespace OrderSystem.Messaging.Sagas.Tests.Counter;

/// <summary>
/// Makes racing first events really overlap. While a test holds the gate of a counter id closed, a message that is
/// creating that counter waits inside the state machine, after the repository found no instance and before it writes
/// one, until either a second creator arrives (proof that two creations overlap: the gate opens for both) or the test
/// opens it. A repository that serialises creation lets only one creator in at a time, so the test opens the gate; one
/// that does not, races for sure.
/// </summary>
public static class CreationGate
{
    private static readonly ConcurrentDictionary<Guid, Gate> Gates = new();

    public static void Close(Guid id) => Gates[id] = new Gate();

    public static void Open(Guid id)
    {
        if (Gates.TryGetValue(id, out var gate)) gate.Opened.TrySetResult();
    }

    public static Task Pass(Guid id)
    {
        if (!Gates.TryGetValue(id, out var gate)) return Task.CompletedTask;
        if (Interlocked.Increment(ref gate.Arrivals) >= 2) gate.Opened.TrySetResult();
        return gate.Opened.Task;
    }

    private sealed class Gate
    {
        public readonly TaskCompletionSource Opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Arrivals;
    }
}
