using System.Text.Json.Serialization;

namespace OrderSystem.Inventory.Stock;

// Bodies of the operator endpoints (JSON, camelCase). Every field is nullable so that a missing one is reported by name
// in the 400 ProblemDetails rather than silently read as 0; an unknown field is refused by name rather than ignored.

/// <summary>Body of <c>POST /products</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public record AddProductRequest(string? Sku, string? Name, decimal? Price, int? Available);

/// <summary>
/// Body of <c>PUT /products/{sku}/stock</c>: the units for sale. With <see cref="ExpectedAvailable"/> the change is made
/// only if the units for sale are still that many (else 409), so a count taken while orders reserve stock is not applied
/// over their reservations by mistake.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public record SetStockRequest(int? Available, int? ExpectedAvailable);

/// <summary>Body of <c>POST /products/{sku}/restock</c>: how many units arrived.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public record RestockRequest(int? Quantity);

/// <summary>
/// A product's stock as the operator sees it: units for sale (<see cref="Available"/>), units held by orders
/// (<see cref="Reserved"/>), and their sum, the units on hand.
/// </summary>
public record ProductStock(string Sku, string Name, decimal Price, int Available, int Reserved)
{
    public int OnHand => Available + Reserved;
}
