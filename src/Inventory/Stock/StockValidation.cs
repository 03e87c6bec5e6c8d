using System.Text.RegularExpressions;

namespace OrderSystem.Inventory.Stock;

/// <summary>The rules of the operator requests; each broken rule becomes an entry of the 400 ProblemDetails, named by its field.</summary>
public static partial class StockValidation
{
    /// <summary>Most units a product may hold for sale (well inside PostgreSQL's <c>integer</c>).</summary>
    public const int MaxStock = 1_000_000_000;

    /// <summary>Most units one restock may add.</summary>
    public const int MaxRestock = 1_000_000;

    public const decimal MaxPrice = 1_000_000m;

    public static Dictionary<string, string[]> Validate(AddProductRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Sku) || request.Sku.Length > 64 || !SkuPattern().IsMatch(request.Sku))
            errors["sku"] = ["A SKU of 1 to 64 characters: capital letters, digits, '-', '_' or '.'."];
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200)
            errors["name"] = ["A name of 1 to 200 characters is required."];
        if (request.Price is not { } price || price <= 0 || price > MaxPrice || decimal.Round(price, 2) != price)
            errors["price"] = [$"A price above 0 and at most {MaxPrice}, with at most 2 decimals, is required."];
        if (request.Available is not { } available || available < 0 || available > MaxStock)
            errors["available"] = [$"The units for sale, between 0 and {MaxStock}, are required."];
        return errors;
    }

    public static Dictionary<string, string[]> Validate(SetStockRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Available is not { } available || available < 0 || available > MaxStock)
            errors["available"] = [$"The units for sale, between 0 and {MaxStock}, are required."];
        if (request.ExpectedAvailable is < 0 or > MaxStock)
            errors["expectedAvailable"] = [$"When given, between 0 and {MaxStock}."];
        return errors;
    }

    public static Dictionary<string, string[]> Validate(RestockRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Quantity is not { } quantity || quantity < 1 || quantity > MaxRestock)
            errors["quantity"] = [$"The units that arrived, between 1 and {MaxRestock}, are required."];
        return errors;
    }

    [GeneratedRegex("^[A-Z0-9][A-Z0-9._-]*$")]
    private static partial Regex SkuPattern();
}
