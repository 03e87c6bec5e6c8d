using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderSystem.Ordering.StateFeed;

namespace OrderSystem.Ordering.Api;

/// <summary>
/// <c>GET /orders/events</c>: every order's state changes as server-sent events (<c>state</c>, an
/// <see cref="OrderStateChanged"/>), from the moment of the request, pushed once the saga's transaction has committed.
/// A <c>heartbeat</c> event opens the stream and repeats every <see cref="HeartbeatInterval"/>, so that the listener
/// knows it is subscribed and a dead connection is noticed. For a page that follows orders live (the Storefront).
/// </summary>
public static class OrderEventsApi
{
    public const string StateEvent = "state";
    public const string HeartbeatEvent = "heartbeat";
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(15);

    public static RouteHandlerBuilder MapOrderEventsApi(this RouteGroupBuilder orders) =>
        orders.MapGet("/events", StreamStateChanges)
            .WithSummary("Every order's state changes from now on, as server-sent events (state, heartbeat).");

    public static ServerSentEventsResult<OrderStateChanged?> StreamStateChanges(OrderStateFeed feed, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(Events(feed.Subscribe(), cancellationToken));

    private static async IAsyncEnumerable<SseItem<OrderStateChanged?>> Events(
        OrderStateFeed.Subscription subscription, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var _ = subscription; // subscribed before the first event: nothing committed after it is missed
        yield return new SseItem<OrderStateChanged?>(null, HeartbeatEvent);
        while (!cancellationToken.IsCancellationRequested)
        {
            if (!await ChangeWithin(subscription, HeartbeatInterval, cancellationToken))
            {
                yield return new SseItem<OrderStateChanged?>(null, HeartbeatEvent);
                continue;
            }

            while (subscription.Changes.TryRead(out var change)) yield return new SseItem<OrderStateChanged?>(change, StateEvent);
        }
    }

    private static async Task<bool> ChangeWithin(OrderStateFeed.Subscription subscription, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(interval);
        try
        {
            return await subscription.Changes.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
