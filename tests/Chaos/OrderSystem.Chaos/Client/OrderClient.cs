using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrderSystem.Chaos.Client;

/// <summary>
/// Places orders through the public API as a careful client does: every attempt of one order carries the same
/// Idempotency-Key, so a retry after an answer that never arrived cannot place it twice. A 503 is retried after its
/// Retry-After; any other 5xx, a refused or broken connection and a timeout after a short back-off; never with a new key.
/// Anything else (400, 409, 422…) is an answer a correct client should never get, and is recorded as such.
/// </summary>
public sealed class OrderClient(Uri ordering, ClientLedger ledger) : IDisposable
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        MaxConnectionsPerServer = 64,
    })
    {
        BaseAddress = ordering,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private int _cancels;

    public int CancelsRequested => _cancels;

    /// <summary>Places <paramref name="order"/>, retrying until it is accepted or <paramref name="giveUpAfter"/> has passed.</summary>
    public async Task PlaceAsync(PlannedOrder order, TimeSpan giveUpAfter, CancellationToken cancellationToken)
    {
        var body = new { customerId = order.CustomerId, lines = order.Lines.Select(l => new { sku = l.Sku, quantity = l.Quantity }) };
        var orderId = await RetryAsync(order.IdempotencyKey, giveUpAfter, cancellationToken, async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", order.IdempotencyKey);
            using var response = await _http.SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
                return Answer<Guid?>.Done(accepted.GetProperty("orderId").GetGuid());
            }

            return await Unsuccessful<Guid?>(response, $"POST {order.IdempotencyKey}");
        });
        if (orderId is not { } id) return;
        ledger.Accept(order.IdempotencyKey, id);
        if (order.CancelAfterAccepted) await CancelAsync(order.IdempotencyKey, id, giveUpAfter, cancellationToken);
    }

    /// <summary>Asks to cancel; 202 (cancelling) and 409 (too late: confirmed or rejected) are both answers.</summary>
    private async Task CancelAsync(string key, Guid orderId, TimeSpan giveUpAfter, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _cancels);
        await RetryAsync(key + " (cancel)", giveUpAfter, cancellationToken, async () =>
        {
            using var response = await _http.PostAsync($"/orders/{orderId}/cancel", null, cancellationToken);
            return response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict
                ? Answer<bool>.Done(true)
                : await Unsuccessful<bool>(response, $"cancel {orderId}");
        });
    }

    private async Task<Answer<T>> Unsuccessful<T>(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            return Answer<T>.Retry("503", response.Headers.RetryAfter?.Delta ?? MaxBackoff);
        if (status >= 500) return Answer<T>.Retry(status.ToString(System.Globalization.CultureInfo.InvariantCulture), null);
        ledger.Unexpect($"{what}: {status} {await response.Content.ReadAsStringAsync()}");
        return Answer<T>.Stop();
    }

    private async Task<T?> RetryAsync<T>(string key, TimeSpan giveUpAfter, CancellationToken cancellationToken, Func<Task<Answer<T>>> attempt)
    {
        var watch = Stopwatch.StartNew();
        for (var failures = 0; ; failures++)
        {
            ledger.Attempted();
            Answer<T> answer;
            try
            {
                answer = await attempt();
            }
            catch (HttpRequestException)
            {
                answer = Answer<T>.Retry("connection", null);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                answer = Answer<T>.Retry("timeout", null);
            }

            if (answer.IsDone) return answer.Value;
            if (answer.RetryReason is not { } reason) return default;
            ledger.Retrying(reason);
            if (watch.Elapsed > giveUpAfter)
            {
                ledger.GiveUp(key, $"still failing ({reason}) after {watch.Elapsed.TotalSeconds:F0} s");
                return default;
            }

            // Exponential back-off with jitter for errors; the server's own Retry-After for a 503.
            var backoff = answer.RetryAfter ?? TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, 250 * Math.Pow(2, Math.Min(failures, 5))));
            await Task.Delay(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250)), cancellationToken);
        }
    }

    public void Dispose() => _http.Dispose();

    private readonly record struct Answer<T>(bool IsDone, T? Value, string? RetryReason, TimeSpan? RetryAfter)
    {
        public static Answer<T> Done(T value) => new(true, value, null, null);
        public static Answer<T> Retry(string reason, TimeSpan? after) => new(false, default, reason, after);
        public static Answer<T> Stop() => new(false, default, null, null);
    }
}
