using System.Collections.Concurrent;

namespace OrderSystem.Chaos.Client;

/// <summary>What the client knows: the orders it got accepted (key → order id), and every attempt that failed and why.</summary>
public sealed class ClientLedger
{
    private readonly ConcurrentDictionary<string, Guid> _accepted = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, string Reason)> _retries = new();
    private readonly ConcurrentQueue<string> _givenUp = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private int _attempts;

    public IReadOnlyDictionary<string, Guid> Accepted => _accepted;
    public int Attempts => _attempts;
    public int Retries => _retries.Count;
    public IReadOnlyCollection<string> GivenUp => _givenUp;

    /// <summary>Answers a correct client never gets (e.g. 422: the key reused for another order; another id for the same key).</summary>
    public IReadOnlyCollection<string> Unexpected => _unexpected;

    public IReadOnlyList<Guid> AcceptedIds() => _accepted.Values.ToList();

    public void Attempted() => Interlocked.Increment(ref _attempts);

    public void Retrying(string reason) => _retries.Enqueue((DateTimeOffset.UtcNow, reason));

    public void Accept(string key, Guid orderId)
    {
        var first = _accepted.GetOrAdd(key, orderId);
        if (first != orderId) _unexpected.Enqueue($"{key}: accepted as {first}, then as {orderId}");
    }

    public void GiveUp(string key, string why) => _givenUp.Enqueue($"{key}: {why}");

    public void Unexpect(string what) => _unexpected.Enqueue(what);

    /// <summary>Failed attempts (then retried) between two instants, by reason.</summary>
    public IReadOnlyDictionary<string, int> RetriesBetween(DateTimeOffset from, DateTimeOffset to) =>
        _retries.Where(r => r.At >= from && r.At < to).GroupBy(r => r.Reason).ToDictionary(g => g.Key, g => g.Count());
}
