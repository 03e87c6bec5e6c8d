using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace OrderSystem.Storefront.Api;

/// <summary>
/// What the page calls, each passed on to a public HTTP API: <c>/api/products</c> to Inventory's <c>GET /products</c>;
/// <c>/api/orders…</c> to Ordering's orders API (the page's Idempotency-Key goes along); <c>/api/orders/events</c>
/// relays Ordering's <c>GET /orders/events</c> stream of state changes to the page as server-sent events.
/// </summary>
public static class StorefrontApi
{
    public static RouteGroupBuilder MapStorefrontApiEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/products", ListProducts);
        api.MapPost("/orders", SubmitOrder);
        api.MapGet("/orders/{id:guid}", GetOrder);
        api.MapPost("/orders/{id:guid}/cancel", CancelOrder);
        api.MapGet("/orders/events", OrderEvents);
        return api;
    }

    public static async Task<RelayedResponse> ListProducts(IHttpClientFactory clients, CancellationToken cancellationToken) =>
        new(await clients.CreateClient(Upstream.Inventory).GetAsync("/products", cancellationToken));

    public static async Task<RelayedResponse> SubmitOrder(
        HttpRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        IHttpClientFactory clients,
        CancellationToken cancellationToken)
    {
        using var body = new StreamContent(request.Body);
        body.Headers.ContentType = new("application/json") { CharSet = Encoding.UTF8.WebName };
        using var message = new HttpRequestMessage(HttpMethod.Post, "/orders") { Content = body };
        if (idempotencyKey is not null) message.Headers.Add("Idempotency-Key", idempotencyKey);
        return new(await clients.CreateClient(Upstream.Ordering).SendAsync(message, cancellationToken));
    }

    public static async Task<RelayedResponse> GetOrder(Guid id, IHttpClientFactory clients, CancellationToken cancellationToken) =>
        new(await clients.CreateClient(Upstream.Ordering).GetAsync($"/orders/{id}", cancellationToken));

    public static async Task<RelayedResponse> CancelOrder(Guid id, IHttpClientFactory clients, CancellationToken cancellationToken) =>
        new(await clients.CreateClient(Upstream.Ordering).PostAsync($"/orders/{id}/cancel", null, cancellationToken));

    /// <summary>
    /// Ordering's events, one upstream stream per open page; when it ends (Ordering restarted), this stream ends too and
    /// the browser's EventSource reconnects, then reads what it missed with <c>GET /api/orders/{id}</c>.
    /// </summary>
    public static ServerSentEventsResult<string> OrderEvents(IHttpClientFactory clients, CancellationToken cancellationToken) =>
        TypedResults.ServerSentEvents(Relay(clients.CreateClient(Upstream.OrderingEvents), cancellationToken));

    private static async IAsyncEnumerable<SseItem<string>> Relay(HttpClient ordering, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await ordering.GetAsync("/orders/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
            yield return new SseItem<string>(item.Data, item.EventType);
    }
}
