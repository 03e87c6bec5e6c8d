using System.Diagnostics;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Contracts.Ordering;
using OrderSystem.Ordering.Backpressure;
using OrderSystem.Ordering.Orders;
using OrderSystem.Ordering.Persistence;
using OrderSystem.Ordering.Saga;
using OrderSystem.Ordering.Telemetry;

namespace OrderSystem.Ordering.Api;

/// <summary>
/// The public HTTP API of orders. Submitting and cancelling only record the request and publish a message (through the
/// bus outbox, in the same transaction): the saga does the work, so both answer 202 and the client follows the order
/// with <c>GET /orders/{id}</c>.
/// </summary>
public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/orders").WithTags("Orders");
        orders.MapPost("/", SubmitOrder)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Submit an order (optional Idempotency-Key header). 503 + Retry-After while too much work waits for the saga.");
        orders.MapGet("/{id:guid}", GetOrder).WithSummary("An order, its state and history.");
        orders.MapGet("/", ListOrders).WithSummary("Orders, newest first, optionally in one state.");
        orders.MapPost("/{id:guid}/cancel", CancelOrder).WithSummary("Ask to cancel an order (accepted until the payment is captured).");
        orders.MapOrderEventsApi();
        return orders;
    }

    public static async Task<Results<Accepted<OrderAccepted>, ValidationProblem, ProblemHttpResult>> SubmitOrder(
        SubmitOrderRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        OrderingDbContext db,
        IPublishEndpoint publishEndpoint,
        OrderMetrics metrics,
        SagaBacklog backlog,
        HttpContext http,
        CancellationToken cancellationToken)
    {
        var errors = OrderRequestValidation.Validate(request, idempotencyKey);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var order = new Order
        {
            Id = NewId.NextGuid(),
            CustomerId = request.CustomerId!,
            Lines = request.Lines!.Select(l => new OrderItem(l.Sku!, l.Quantity)).ToList(),
            IdempotencyKey = idempotencyKey,
            SubmittedAt = DateTimeOffset.UtcNow,
        };

        if (idempotencyKey is not null && await FindByIdempotencyKey(db, idempotencyKey, cancellationToken) is { } earlier)
            return SameRequestOrConflict(earlier, order);

        // Flow control: a retry of an accepted order is answered above; a new one waits at the client, not in our queues.
        var (waiting, overBound) = backlog.Measure(db);
        if (overBound) return TooBusy(http, backlog.Options, waiting);

        // From here on the trace is this order's: the baggage travels with every message the order causes.
        TagTrace(order.Id);
        try
        {
            db.Orders.Add(order);
            await publishEndpoint.Publish(
                new OrderSubmitted(order.Id, order.CustomerId, order.Lines.Select(l => new OrderLine(l.Sku, l.Quantity)).ToList(), order.SubmittedAt),
                cancellationToken);
            // One save: the order and, through the bus outbox, the message rows. A concurrent POST with the same key loses here.
            await db.SaveChangesAsync(cancellationToken);
            metrics.Submitted();
        }
        catch (DbUpdateException e) when (idempotencyKey is not null && e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            var winner = await FindByIdempotencyKey(db, idempotencyKey, cancellationToken);
            if (winner is null) throw;
            return SameRequestOrConflict(winner, order);
        }

        return Accepted(order.Id);
    }

    private static ProblemHttpResult TooBusy(HttpContext http, BackpressureOptions options, long waiting)
    {
        var retryAfter = (int)Math.Ceiling(options.RetryAfter.TotalSeconds);
        http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Too many orders waiting",
            detail: $"{waiting} messages wait for the order saga (bound {options.MaxWaiting}); nothing was recorded. Retry after {retryAfter} s.",
            extensions: new Dictionary<string, object?> { ["waiting"] = waiting, ["maxWaiting"] = options.MaxWaiting, ["retryAfterSeconds"] = retryAfter });
    }

    public static async Task<Results<Ok<OrderDetails>, NotFound>> GetOrder(Guid id, OrderingDbContext db, CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (order is null) return TypedResults.NotFound();
        var saga = await db.OrderStates.AsNoTracking().FirstOrDefaultAsync(s => s.CorrelationId == id, cancellationToken);

        // Until the saga has taken the order in, it is Submitted as far as the client is concerned.
        var history = saga?.History.Select(h => new OrderHistoryEntry(h.State, h.At)).ToList()
                      ?? [new OrderHistoryEntry(OrderStateNames.Submitted, order.SubmittedAt)];
        return TypedResults.Ok(new OrderDetails(
            order.Id,
            order.CustomerId,
            saga?.CurrentState ?? OrderStateNames.Submitted,
            order.Lines.Select(l => new OrderLineView(l.Sku, l.Quantity)).ToList(),
            saga?.Total,
            saga?.Reason,
            history));
    }

    public static async Task<Results<Ok<OrderPage>, ValidationProblem>> ListOrders(
        OrderingDbContext db,
        CancellationToken cancellationToken,
        string? state = null,
        int page = 1,
        int pageSize = 20)
    {
        var errors = new Dictionary<string, string[]>();
        if (state is not null && !OrderStateNames.All.Contains(state)) errors["state"] = [$"Unknown state; one of {string.Join(", ", OrderStateNames.All)}."];
        if (page < 1) errors["page"] = ["The page number starts at 1."];
        if (pageSize is < 1 or > 100) errors["pageSize"] = ["The page size is between 1 and 100."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var query =
            from o in db.Orders.AsNoTracking()
            join s in db.OrderStates.AsNoTracking() on o.Id equals s.CorrelationId into sagas
            from s in sagas.DefaultIfEmpty()
            select new { Order = o, State = s == null ? OrderStateNames.Submitted : s.CurrentState, Total = s == null ? null : s.Total };
        if (state is not null) query = query.Where(x => x.State == state);

        var totalCount = await query.CountAsync(cancellationToken);
        var items = await query
            .OrderByDescending(x => x.Order.SubmittedAt).ThenBy(x => x.Order.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(x => new OrderSummary(x.Order.Id, x.Order.CustomerId, x.State, x.Total, x.Order.SubmittedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new OrderPage(items, page, pageSize, totalCount));
    }

    public static async Task<Results<Accepted, NotFound, ProblemHttpResult>> CancelOrder(
        Guid id,
        OrderingDbContext db,
        IPublishEndpoint publishEndpoint,
        CancellationToken cancellationToken)
    {
        var order = await db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (order is null) return TypedResults.NotFound();
        var state = await db.OrderStates.AsNoTracking().Where(s => s.CorrelationId == id).Select(s => s.CurrentState).FirstOrDefaultAsync(cancellationToken);

        // The saga has the last word (it ignores a cancel that arrives after the capture); this check answers the
        // common case at once.
        if (state is OrderStateNames.Confirmed or OrderStateNames.Rejected)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The order can no longer be cancelled.",
                detail: $"The order is {state}.");
        }

        if (state is not OrderStateNames.Cancelled)
        {
            TagTrace(id);
            await publishEndpoint.Publish(new CancelOrder(id, order.CustomerId, "Cancelled by the customer"), cancellationToken);
            await db.SaveChangesAsync(cancellationToken); // with the bus outbox: commits the message
        }

        return TypedResults.Accepted(OrderUri(id));
    }

    /// <summary>
    /// Names the order on the request's span and in its baggage (<see cref="OrderBaggage.OrderId"/>), which the messages
    /// published from here carry on to every service.
    /// </summary>
    private static void TagTrace(Guid orderId)
    {
        if (Activity.Current is not { } activity) return;
        var id = orderId.ToString();
        activity.SetTag(OrderBaggage.OrderId, id);
        activity.SetBaggage(OrderBaggage.OrderId, id);
    }

    private static Task<Order?> FindByIdempotencyKey(OrderingDbContext db, string key, CancellationToken cancellationToken) =>
        db.Orders.AsNoTracking().FirstOrDefaultAsync(o => o.IdempotencyKey == key, cancellationToken);

    private static Results<Accepted<OrderAccepted>, ValidationProblem, ProblemHttpResult> SameRequestOrConflict(Order earlier, Order retry)
    {
        if (earlier.CustomerId == retry.CustomerId && earlier.Lines.SequenceEqual(retry.Lines)) return Accepted(earlier.Id);
        return TypedResults.Problem(
            statusCode: StatusCodes.Status422UnprocessableEntity,
            title: "Idempotency-Key reused for a different order.",
            detail: $"The key was first used for order {earlier.Id} with a different customer or lines.");
    }

    private static Accepted<OrderAccepted> Accepted(Guid orderId) => TypedResults.Accepted(OrderUri(orderId), new OrderAccepted(orderId));

    private static string OrderUri(Guid orderId) => $"/orders/{orderId}";
}
