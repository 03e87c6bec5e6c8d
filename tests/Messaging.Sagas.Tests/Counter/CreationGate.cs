using System.Collections.Concurrent;

namespace OrderSystem.Messaging.Sagas.Tests.Counter;

/// <summary>
/// Holds creators of a counter inside the state machine (after the repository found no instance, before it writes one)
/// while a test keeps the gate of that id closed, so the test can wait until the creations really overlap before it
/// lets them go. A second arrival while the first is held proves two creators found no instance at once (the gate then
/// opens for both); a repository that serialises creation keeps the second one waiting elsewhere (on the first one's
/// uncommitted row), which the test observes in the database before it opens the gate.
/// </summary>
public static class CreationGate
{
    private static readonly ConcurrentDictionary<Guid, Gate> Gates = new();

    public static void Close(Guid id) => Gates[id] = new Gate();

    public static void Open(Guid id)
    {
        if (Gates.TryGetValue(id, out var gate)) gate.Opened.TrySetResult();
    }

    /// <summary>How many creators reached the gate of <paramref name="id"/> so far.</summary>
    public static int Arrivals(Guid id) => Gates.TryGetValue(id, out var gate) ? Volatile.Read(ref gate.Arrivals) : 0;

    /// <summary>True once a second creator arrived while the gate was still closed for the first.</summary>
    public static bool Overlapped(Guid id) => Gates.TryGetValue(id, out var gate) && gate.Overlapped;

    public static Task Pass(Guid id)
    {
        if (!Gates.TryGetValue(id, out var gate)) return Task.CompletedTask;
        if (Interlocked.Increment(ref gate.Arrivals) >= 2 && !gate.Opened.Task.IsCompleted)
        {
            gate.Overlapped = true;
            gate.Opened.TrySetResult();
        }
        return gate.Opened.Task;
    }

    private sealed class Gate
    {
        public readonly TaskCompletionSource Opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public int Arrivals;
        public volatile bool Overlapped;
    }
}
