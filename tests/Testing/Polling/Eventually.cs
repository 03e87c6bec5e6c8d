namespace OrderSystem.Testing.Polling;

/// <summary>
/// Waits for an observable outcome instead of sleeping: polls until the condition holds or a deadline passes, then
/// fails with the last value seen. Messaging is asynchronous; a test states what it expects to become true, and how long
/// it is willing to wait, never "wait N ms and hope".
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="probe"/> until <paramref name="until"/> accepts its value; returns that value.</summary>
    public static async Task<T> Get<T>(Func<Task<T>> probe, Func<T, bool> until, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        T last;
        Exception? lastError = null;
        while (true)
        {
            try
            {
                last = await probe();
                if (until(last)) return last;
                lastError = null;
            }
            catch (Exception e) when (DateTime.UtcNow < deadline)
            {
                last = default!;
                lastError = e;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException(
                    $"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s waiting for: {what}. Last value: {Describe(last)}",
                    lastError);
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> is true.</summary>
    public static Task True(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        Get(condition, ok => ok, what, timeout);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable e and not string => "[" + string.Join(", ", e.Cast<object?>().Take(20)) + "]",
        _ => value.ToString() ?? "",
    };
}
