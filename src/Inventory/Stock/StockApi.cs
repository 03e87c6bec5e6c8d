using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrderSystem.Contracts.Inventory;
using OrderSystem.Inventory.Catalog;
using OrderSystem.Inventory.OperatorAccess;
using OrderSystem.Inventory.Persistence;

namespace OrderSystem.Inventory.Stock;

/// <summary>
/// The operator endpoints under <c>/products</c> (the <c>X-Api-Key</c> header, see <see cref="OperatorApiKeyHandler"/>):
/// add a product, set the units for sale, add units that arrived. Each change and its event
/// (<see cref="ProductAdded"/>, <see cref="StockLevelSet"/>, <see cref="InventoryRestocked"/>, through the bus outbox)
/// commit in one transaction.
/// <para>
/// Safe against reservations in flight: <c>available</c> only ever changes inside a row-locking UPDATE, here as in
/// <see cref="Reservations.ReserveStockConsumer"/>. A restock is <c>available = available + n</c>, which PostgreSQL
/// re-evaluates against the latest committed row if a reservation changed it meanwhile: no unit is lost or invented. Set
/// stock locks the row first (<c>SELECT … FOR UPDATE</c>), so the previous value it reports and the reserved units it
/// leaves alone are exact. Reserved units belong to orders and are never changed here: "set" sets the units for sale,
/// and the units on hand become that plus the reserved ones.
/// </para>
/// </summary>
public static class StockApi
{
    public static RouteGroupBuilder MapStockApi(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/products").WithTags("Stock (operators)");
        products.MapPost("/", AddProduct).RequireOperator()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Add a product to the catalog (operators: X-Api-Key). 409 if the SKU exists.");
        products.MapPut("/{sku}/stock", SetStock).RequireOperator()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Set the units for sale (operators: X-Api-Key). Reserved units are not included and not changed; "
                         + "with expectedAvailable, 409 unless the units for sale are still that many.");
        products.MapPost("/{sku}/restock", Restock).RequireOperator()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Add units that arrived to the units for sale (operators: X-Api-Key).");
        return products;
    }

    public static async Task<Results<Created<ProductStock>, ValidationProblem, ProblemHttpResult>> AddProduct(
        AddProductRequest request, InventoryDbContext db, IPublishEndpoint publishEndpoint, CancellationToken cancellationToken)
    {
        var errors = StockValidation.Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var product = new Product { Sku = request.Sku!, Name = request.Name!.Trim(), Price = request.Price!.Value, Available = request.Available!.Value };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Products.Add(product);
        try
        {
            await db.SaveChangesAsync(cancellationToken); // a concurrent POST of the same SKU loses here
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem(
                title: "Product exists", detail: $"A product with SKU '{product.Sku}' exists already.", statusCode: StatusCodes.Status409Conflict);
        }

        await publishEndpoint.Publish(new ProductAdded(product.Sku, product.Name, product.Price, product.Available, DateTimeOffset.UtcNow), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/products/{Uri.EscapeDataString(product.Sku)}", ToStock(product));
    }

    public static async Task<Results<Ok<ProductStock>, ValidationProblem, ProblemHttpResult>> SetStock(
        string sku, SetStockRequest request, InventoryDbContext db, IPublishEndpoint publishEndpoint, CancellationToken cancellationToken)
    {
        var errors = StockValidation.Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var product = (await db.Products.FromSql($"SELECT * FROM products WHERE sku = {sku} FOR UPDATE").ToListAsync(cancellationToken)).SingleOrDefault();
        if (product is null) return UnknownProduct(sku);
        if (request.ExpectedAvailable is { } expected && product.Available != expected)
        {
            return TypedResults.Problem(
                title: "Stock changed",
                detail: $"'{sku}' has {product.Available} unit(s) for sale, not the {expected} expected; nothing was changed.",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["available"] = product.Available, ["reserved"] = product.Reserved });
        }

        var previous = product.Available;
        product.Available = request.Available!.Value;
        await publishEndpoint.Publish(new StockLevelSet(sku, previous, product.Available, product.Reserved, DateTimeOffset.UtcNow), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToStock(product));
    }

    public static async Task<Results<Ok<ProductStock>, ValidationProblem, ProblemHttpResult>> Restock(
        string sku, RestockRequest request, InventoryDbContext db, IPublishEndpoint publishEndpoint, CancellationToken cancellationToken)
    {
        var errors = StockValidation.Validate(request);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var quantity = request.Quantity!.Value;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var added = await db.Products
            .Where(p => p.Sku == sku && p.Available <= StockValidation.MaxStock - quantity)
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.Available, x => x.Available + quantity), cancellationToken);
        if (added == 0)
        {
            var current = await db.Products.AsNoTracking().FirstOrDefaultAsync(p => p.Sku == sku, cancellationToken);
            return current is null
                ? UnknownProduct(sku)
                : TypedResults.Problem(
                    title: "Too much stock",
                    detail: $"'{sku}' has {current.Available} unit(s) for sale; {quantity} more would exceed {StockValidation.MaxStock}.",
                    statusCode: StatusCodes.Status409Conflict);
        }

        // The UPDATE holds the row lock until commit: these are exactly the figures right after this restock.
        var product = await db.Products.AsNoTracking().SingleAsync(p => p.Sku == sku, cancellationToken);
        await publishEndpoint.Publish(new InventoryRestocked(sku, quantity, product.Available, product.Reserved, DateTimeOffset.UtcNow), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(ToStock(product));
    }

    private static ProblemHttpResult UnknownProduct(string sku) =>
        TypedResults.Problem(title: "Unknown product", detail: $"No product has SKU '{sku}'.", statusCode: StatusCodes.Status404NotFound);

    private static ProductStock ToStock(Product p) => new(p.Sku, p.Name, p.Price, p.Available, p.Reserved);
}
