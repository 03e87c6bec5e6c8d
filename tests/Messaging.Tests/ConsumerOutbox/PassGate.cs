using OrderSystem.Messaging.Tests.Support;

namespace OrderSystem.Messaging.Tests.ConsumerOutbox;

/// <summary>What <see cref="HoldPassConsumer"/> waits for, and the DbContext of the pass it holds.</summary>
public sealed class PassGate
{
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile TestDbContext? _held;

    public TestDbContext? Held
    {
        get => _held;
        set => _held = value;
    }

    public Task Opened => _opened.Task;

    public void Open() => _opened.TrySetResult();
}
