using System.Text.Json.Serialization;

namespace OrderSystem.Ordering.Api;

// The HTTP API's request and response bodies (JSON, camelCase). Separate from the bus contracts on purpose: the public
// HTTP shape and the internal message shape change for different reasons.

// Unknown fields in a request body are refused (400 naming the field) rather than ignored: a misspelt "quantiy" would
// otherwise arrive as a quantity of 0 and be reported as the wrong problem.

/// <summary>Body of <c>POST /orders</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public record SubmitOrderRequest(string? CustomerId, List<SubmitOrderLine>? Lines);

/// <summary>One line of <see cref="SubmitOrderRequest"/>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public record SubmitOrderLine(string? Sku, int Quantity);

/// <summary>Body of the 202 answer to <c>POST /orders</c>; the Location header points at the order.</summary>
public record OrderAccepted(Guid OrderId);

/// <summary>Body of <c>GET /orders/{id}</c>.</summary>
public record OrderDetails(
    Guid OrderId,
    string CustomerId,
    string State,
    IReadOnlyList<OrderLineView> Lines,
    decimal? Total,
    string? Reason,
    IReadOnlyList<OrderHistoryEntry> History);

public record OrderLineView(string Sku, int Quantity);

public record OrderHistoryEntry(string State, DateTimeOffset At);

/// <summary>One row of <c>GET /orders</c>.</summary>
public record OrderSummary(Guid OrderId, string CustomerId, string State, decimal? Total, DateTimeOffset SubmittedAt);

/// <summary>Body of <c>GET /orders</c>: one page, newest first.</summary>
public record OrderPage(IReadOnlyList<OrderSummary> Items, int Page, int PageSize, int TotalCount);
