using System.Collections.Concurrent;

namespace OrderSystem.Operations.Tests.Support;

/// <summary>Which keys the consumer fails on, and what it has attempted and completed.</summary>
public sealed class WorkLedger
{
    private readonly ConcurrentDictionary<string, Func<string, Exception>> _failing = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new();
    private readonly ConcurrentDictionary<string, int> _completed = new();

    /// <summary>The consumer throws InvalidOperationException for these keys (unless another failure was set for them).</summary>
    public void Fail(params string[] keys)
    {
        foreach (var key in keys) _failing.TryAdd(key, k => new InvalidOperationException($"work {k} failed"));
    }

    /// <summary>The consumer throws what <paramref name="exception"/> makes for these keys: a second cause of failure.</summary>
    public void FailWith(Func<string, Exception> exception, params string[] keys)
    {
        foreach (var key in keys) _failing[key] = exception;
    }

    /// <summary>The bug is fixed for this key: the consumer now succeeds.</summary>
    public void Fix(params string[] keys)
    {
        foreach (var key in keys) _failing.TryRemove(key, out _);
    }

    public int Attempts(string key) => _attempts.GetValueOrDefault(key);
    public int Completed(string key) => _completed.GetValueOrDefault(key);

    public void Handle(string key)
    {
        _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (_failing.TryGetValue(key, out var exception)) throw exception(key);
        _completed.AddOrUpdate(key, 1, (_, n) => n + 1);
    }
}
