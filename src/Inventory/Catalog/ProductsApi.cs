using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OrderSystem.Inventory.Persistence;

namespace OrderSystem.Inventory.Catalog;

/// <summary>
/// <c>GET /products</c>: the catalog with prices and stock: units for sale (<c>available</c>), held for orders in flight
/// (<c>reserved</c>), on hand (the two together) and sold (confirmed orders' units, which left stock).
/// </summary>
public static class ProductsApi
{
    public record ProductView(string Sku, string Name, decimal Price, int Available, int Reserved, int OnHand, int Sold);

    public static RouteGroupBuilder MapProductsApi(this IEndpointRouteBuilder app)
    {
        var products = app.MapGroup("/products").WithTags("Products");
        products.MapGet("/", ListProducts);
        return products;
    }

    public static async Task<Ok<List<ProductView>>> ListProducts(InventoryDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Products.AsNoTracking()
            .OrderBy(p => p.Sku)
            .Select(p => new ProductView(p.Sku, p.Name, p.Price, p.Available, p.Reserved, p.Available + p.Reserved, p.Sold))
            .ToListAsync(cancellationToken));
}
